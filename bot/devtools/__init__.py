"""For people trying the app without Slack: the console, a stand-in Slack Web API, the demo."""
