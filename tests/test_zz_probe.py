import io
from bot.slack.console import run_console


def test_probe(settings, services, pairs):
    out = io.StringIO()
    script = "/hours\n:as bea@hillside.example\n/hours\n:time 2026-11-23T10:00:00-05:00\n:who\n:home\n:as cora\n/induction status\n/hours @bea\nhello\n/nope\n:bogus\n:quit\n/hours\n"
    rc = run_console(settings, services, io.StringIO(script), out, as_email="lee@hillside.example")
    print(out.getvalue())
    print("rc", rc)
