"""The loopback fake Slack Web API for tests: the console's stand-in, with failures scripted."""

from bot.devtools.slack_standin import FakeSlackApi, RecordedCall

__all__ = ["FakeSlackApi", "RecordedCall"]
