"""Email: plain-text and HTML renderings of the outbox records, and the SMTP sender."""
