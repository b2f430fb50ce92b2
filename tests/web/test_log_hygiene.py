"""No word a person typed reaches the server log, at any verbosity (docs/domain.md "Confidentiality").

The log is configured exactly as `serve -v` configures it, then real signed requests carry a
secret into the places that used to leak it: SQLAlchemy's statement log (parameters), Bolt's
unhandled-request warning (the body), and a listener's exception message."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.cli.log_setup import OUR_LOGGERS, configure_logging
from bot.cli.main import main
from tests.support.hillside import SIGNING_SECRET
from tests.support.http_client import post_command, request
from tests.support.signing import block_action_body, signed_headers, view_submission_body

SECRET = "lena-secret-note"


@pytest.fixture
def server_log(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """The process's logging as `serve -v` sets it (or `-v --sql-echo` with the param), into a
    buffer; restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    names = [*OUR_LOGGERS, *logging.root.manager.loggerDict]
    saved = {name: logging.getLogger(name).level for name in names}
    buffer = io.StringIO()
    sql_echo = getattr(request, "param", "serve") == "sql-echo"
    configure_logging(verbose=True, serving=not sql_echo, sql_echo=sql_echo, stream=buffer)
    yield buffer
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved_handlers:
        root.addHandler(handler)
    root.setLevel(saved_level)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def post_signed(base_url: str, body: str) -> int:
    status, _, _ = request(
        base_url, "POST", "/slack/events", body, signed_headers(SIGNING_SECRET, body)
    )
    return status


def test_a_logged_note_is_stored_but_never_logged(
    http_server: str, pairs: None, server_log: io.StringIO, services: object
) -> None:
    status, data = post_command(http_server, "/logmeeting", f"40m meeting {SECRET}", "U0LEE")
    assert status == 200 and b"40 min" in data
    with services.store.read() as session:  # type: ignore[attr-defined]
        stored = session.execute(
            text("SELECT count(*) FROM log_entries WHERE notes LIKE :n"), {"n": f"%{SECRET}%"}
        ).scalar_one()
    assert stored == 1  # the note is kept for the pair…
    assert SECRET not in server_log.getvalue()  # …and nowhere in the log


def test_an_unhandled_action_is_logged_by_its_type_not_its_body(
    http_server: str, pairs: None, server_log: io.StringIO
) -> None:
    body = block_action_body("U0LEE", "no_such_action", SECRET)
    assert post_signed(http_server, body) == 404
    log_text = server_log.getvalue()
    assert "no listener for a block_actions request" in log_text
    assert SECRET not in log_text


def test_an_unhandled_form_is_logged_by_its_type_not_its_answers(
    http_server: str, pairs: None, server_log: io.StringIO
) -> None:
    answers = {"notes": {"notes": {"type": "plain_text_input", "value": SECRET}}}
    body = view_submission_body("U0LEE", "no_such_form", SECRET, answers)
    assert post_signed(http_server, body) == 404
    assert "no listener for a view_submission request" in server_log.getvalue()
    assert SECRET not in server_log.getvalue()


def test_a_crafted_value_that_breaks_a_listener_is_not_quoted(
    http_server: str, pairs: None, server_log: io.StringIO
) -> None:
    post_signed(http_server, block_action_body("U0LEE", "entry_flag", f"{SECRET}²"))
    assert SECRET not in server_log.getvalue()


def test_a_driver_error_keeps_its_type_and_frames_but_not_the_row(
    server_log: io.StringIO,
) -> None:
    log = logging.getLogger("bot.test")
    try:
        raise IntegrityError("INSERT INTO log_entries …", {"notes": SECRET}, Exception(SECRET))
    except IntegrityError:
        log.exception("a write failed")
    log_text = server_log.getvalue()
    assert "a write failed" in log_text
    assert "sqlalchemy.exc.IntegrityError: (message withheld)" in log_text
    assert "test_log_hygiene.py" in log_text  # the frames stay: where it failed
    assert SECRET not in log_text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sql_statements_are_not_logged_when_serving(
    services: object, server_log: io.StringIO
) -> None:
    with services.store.write() as session:  # type: ignore[attr-defined]
        session.execute(text("SELECT :secret"), {"secret": SECRET})
    assert "SELECT" not in server_log.getvalue()
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("slack_bolt.App").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("bot.services.logs").getEffectiveLevel() == logging.DEBUG


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("server_log", ["sql-echo"], indirect=True)
def test_sql_echo_hides_parameters(services: object, server_log: io.StringIO) -> None:
    with services.store.write() as session:  # type: ignore[attr-defined]
        session.execute(text("SELECT :secret"), {"secret": SECRET})
    log_text = server_log.getvalue()
    assert "SELECT" in log_text
    assert SECRET not in log_text


def test_sql_echo_is_refused_with_serve(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sql-echo", "serve", "--no-scheduler"]) == 2
    assert "--sql-echo is for development and is refused with serve" in capsys.readouterr().err
