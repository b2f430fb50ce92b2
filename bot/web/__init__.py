"""The HTTP side: the Bolt app factory, the WSGI server and the ingress guard in front of it."""
