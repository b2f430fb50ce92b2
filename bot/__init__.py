"""Mentor Minutes: a Slack app for teacher-induction programs."""

__version__ = "0.1.0"
