"""Slack-facing pieces: Block Kit views, the Web API sender and the console transport."""
