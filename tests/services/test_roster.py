"""The roster CSV (bot/domain/roster.py, pure) and its import (bot/services/roster.py) on both engines."""

# Table tests keep one case per line (`# fmt: skip`), even when the row or reason is long.

from __future__ import annotations

from datetime import date

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.domain.roster import parse_roster
from bot.services.programs import ProgramInfo
from bot.slack.directory import WebDirectory
from bot.store.models.core import Person, PersonRole
from tests.support.hillside import ROSTER_CSV
from tests.support.slack_api import FakeSlackApi

HEADER = "email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id"
GOOD = "ann@hillside.example,Ann Able,mentor,Lincoln,Math,4,,Professional,2015-08-24,U0ANN"
ALL_EMAILS = sorted(line.split(",")[0] for line in ROSTER_CSV.strip().splitlines()[1:])


def csv_text(*rows: str, header: str = HEADER, newline: str = "\n") -> str:
    """A roster file: the header, then each row."""
    return newline.join([header, *rows]) + newline


# ---- parse_roster: one bad row, the reason and its line ------------------------------------


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (",Eve Empty,mentor,,,,,,,", "email is empty"),
        ("eve-at-hillside.example,Eve,mentor,,,,,,,", "email 'eve-at-hillside.example' is not an email address"),
        ("eve@hillside,Eve,mentor,,,,,,,", "email 'eve@hillside' is not an email address"),
        ("eve@@hillside.example,Eve,mentor,,,,,,,", "is not an email address"),
        ("eve@forgotten.invalid,Eve,mentor,,,,,,,", "is in forgotten.invalid, kept for people forgotten on request"),
        ("eve@hillside.example,,mentor,,,,,,,", "name is empty"),
        ("eve@hillside.example,Eve,mentor;teacher,,,,,,,", "unknown role teacher (expected some of: mentee mentor lead_mentor coordinator evaluator)"),
        ("eve@hillside.example,Eve,,,,,,,,", "roles is empty"),
        ("eve@hillside.example,Eve, ; ;,,,,,,,", "roles is empty"),
        ("eve@hillside.example,Eve,mentee;mentor,,,,beginning_teacher,,,", "a mentee can't also be a mentor in the same year"),
        ("eve@hillside.example,Eve,mentee;lead_mentor,,,,beginning_teacher,,,", "a mentee can't also be a mentor in the same year"),
        ("eve@hillside.example,Eve,mentee,,,,,,,", "educator_type is required for a mentee"),
        ("eve@hillside.example,Eve,mentee,,,,new_teacher,,,", "educator_type 'new_teacher' is not one of beginning_teacher incoming_teacher"),
        ("eve@hillside.example,Eve,mentor,,,,,,2026-13-01,", "hire_date '2026-13-01' is not an ISO date like 2026-08-24"),
        ("eve@hillside.example,Eve,mentor,,,,,,08/24/2026,", "hire_date '08/24/2026' is not an ISO date"),
        ("eve@hillside.example,Eve,mentor,,,,,,,u0eve", "slack_user_id 'u0eve' is not a Slack user id"),
        ("eve@hillside.example,Eve,mentor,,,,,,,C0CHANNEL", "slack_user_id 'C0CHANNEL' is not a Slack user id"),
        ("eve@hillside.example,Eve,mentor,,,,,,,@eve", "slack_user_id '@eve' is not a Slack user id"),
        ("eve@hillside.example," + "E" * 201 + ",mentor,,,,,,,", "name is longer than 200 characters"),
        ("ANN@hillside.example,Ann Again,mentor,,,,,,,", "email ann@hillside.example is already on line 2"),
        ("eve@hillside.example,Eve,mentor,,,,,,,U0ANN", "slack_user_id U0ANN is already on line 2"),
        ("eve@hillside.example,Eve,mentor,,,,,,,U0EVE,extra", "more fields than the header"),
    ],
)  # fmt: skip
def test_a_bad_row_is_reported_with_its_line_and_reason(row: str, reason: str) -> None:
    parsed = parse_roster(csv_text(GOOD, row))
    assert [p.line for p in parsed.problems] == [3]
    assert reason in parsed.problems[0].reason
    assert [r.email for r in parsed.rows] == ["ann@hillside.example"]


def test_every_problem_of_a_row_is_listed() -> None:
    parsed = parse_roster(csv_text("bad-email,,mentee,,,,,,someday,x"))
    reasons = [p.reason for p in parsed.problems]
    assert {p.line for p in parsed.problems} == {2}
    assert len(reasons) == 5
    for expected in ("not an email address", "name is empty", "educator_type is required", "hire_date 'someday'", "slack_user_id 'x'"):  # fmt: skip
        assert any(expected in r for r in reasons), (expected, reasons)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("email,name,school\nann@hillside.example,Ann,Lincoln\n", "the header lacks roles"),
        ("name,roles\nAnn,mentor\n", "the header lacks email"),
        ("", "the header lacks email, name, roles"),
        (HEADER + "\n", "the file has a header but no people"),
        (HEADER + "\n\n,,,,,,,,,\n", "the file has a header but no people"),
    ],
)  # fmt: skip
def test_file_level_problems_are_on_line_1(text: str, reason: str) -> None:
    parsed = parse_roster(text)
    assert [p.line for p in parsed.problems] == [1]
    assert reason in parsed.problems[0].reason
    assert parsed.rows == []


BAD = "bad-email,Bad Row,mentor,,,,,,,"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(csv_text(GOOD, BAD), 3, id="plain"),
        pytest.param(csv_text(GOOD, BAD, newline="\r\n"), 3, id="crlf"),
        pytest.param("\ufeff" + csv_text(GOOD, BAD), 3, id="bom"),
        pytest.param(csv_text('ann@hillside.example,"Able, Ann",mentor,"Lincoln, East",,,,,,', BAD), 3, id="quoted-commas"),
        pytest.param(csv_text('ann@hillside.example,Ann,mentor,"Lincoln\nEast campus",,,,,,', BAD), 4, id="quoted-newline-before"),
        pytest.param(csv_text('ann@hillside.example,Ann,mentor,"Lincoln\n\nEast",,,,,,', BAD), 5, id="quoted-blank-line-before"),
        pytest.param(csv_text('bad-email,"Bad\nRow",mentor,,,,,,,'), 2, id="bad-row-spans-lines"),
        pytest.param(csv_text(GOOD, ",,,,,,,,,", BAD), 4, id="empty-fields-row-skipped"),
        pytest.param(csv_text(BAD, "", ""), 2, id="trailing-blank-lines"),
        pytest.param(csv_text(GOOD, "", BAD), 4, id="blank-line-between-rows"),
        pytest.param(csv_text("", "", BAD), 4, id="blank-lines-after-header"),
    ],
)  # fmt: skip
def test_line_numbers_count_physical_lines(text: str, line: int) -> None:
    parsed = parse_roster(text)
    assert [(p.line, p.email) for p in parsed.problems] == [(line, "bad-email")]


def test_a_good_row_is_normalised() -> None:
    header = " Email ,NAME,Roles,school,subject,grade,educator_type,license,hire_date,slack_user_id,notes"
    row = " Bea@Hillside.Example , Bea Beginner ,MENTEE; mentee ,Lincoln,Math,4,Beginning_Teacher,Initial,2026-08-24,U0BEA,ignored"  # fmt: skip
    parsed = parse_roster(csv_text(row, header=header))
    assert parsed.problems == []
    (bea,) = parsed.rows
    assert bea.line == 2
    assert bea.email == "bea@hillside.example"
    assert bea.name == "Bea Beginner"
    assert bea.roles == ("mentee",)
    assert bea.educator_type == "beginning_teacher"
    assert bea.hire_date == date(2026, 8, 24)
    assert bea.slack_user_id == "U0BEA"


def test_only_the_required_columns_are_needed() -> None:
    parsed = parse_roster("roles,email,name\ncoordinator;evaluator,cora@hillside.example,Cora\n")
    assert parsed.problems == []
    (cora,) = parsed.rows
    assert cora.roles == ("coordinator", "evaluator")
    assert (cora.school, cora.hire_date, cora.slack_user_id) == (None, None, None)


# ---- RosterService: all or nothing, idempotent, upsert, dry run, Slack lookup --------------


def count_people(services: Services) -> int:
    with services.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


def person(services: Services, email: str) -> tuple[Person, set[str]]:
    """The stored person and their role names (all years)."""
    with services.store.read() as session:
        found = session.scalars(select(Person).where(Person.email == email)).one()
        roles = set(
            session.scalars(select(PersonRole.role).where(PersonRole.person_id == found.id))
        )
    return found, roles


def test_one_bad_row_applies_nothing(services: Services, program: ProgramInfo) -> None:
    assert count_people(services) == 0
    text = ROSTER_CSV + "zoe@hillside.example,Zoe,mentee,Lincoln,Art,3,,,,\n"
    report = services.roster.import_csv(text)
    assert not report.ok
    assert not report.applied
    assert [(p.line, p.email) for p in report.problems] == [(11, "zoe@hillside.example")]
    assert "educator_type is required" in report.problems[0].reason
    assert report.created == [] and report.updated == []
    assert count_people(services) == 0


def test_a_bad_row_leaves_earlier_imports_untouched(
    services: Services, roster: dict[str, int]
) -> None:
    changed = ROSTER_CSV.replace("mia@hillside.example,Mia Mentor,mentor,Lincoln", "mia@hillside.example,Mia Mentor,mentor,Jefferson")  # fmt: skip
    report = services.roster.import_csv(changed + "broken,Broken,mentor,,,,,,,\n")
    assert not report.ok
    assert count_people(services) == 9
    assert person(services, "mia@hillside.example")[0].school == "Lincoln"


def test_reimport_is_idempotent(services: Services, roster: dict[str, int]) -> None:
    report = services.roster.import_csv(ROSTER_CSV)
    assert report.ok and report.applied
    assert report.created == [] and report.updated == []
    assert sorted(report.unchanged) == ALL_EMAILS
    assert count_people(services) == 9


def test_upsert_changes_fields_and_roles(services: Services, roster: dict[str, int]) -> None:
    text = (
        ROSTER_CSV.replace("mia@hillside.example,Mia Mentor,mentor,Lincoln,Science,5,", "mia@hillside.example,Mia Mentor-Diaz,mentor;lead_mentor,Jefferson,Science,6,")
        .replace("lee@hillside.example,Lee Lead,mentor;lead_mentor,", "lee@hillside.example,Lee Lead,mentor,")
        .replace("2026-10-19,U0NIA", "2026-10-26,U0NIA")
    )  # fmt: skip
    text += "zed@hillside.example,Zed Zero,evaluator,Jefferson,,,,,,U0ZED\n"
    report = services.roster.import_csv(text)
    assert report.ok and report.applied
    assert report.created == ["zed@hillside.example"]
    assert sorted(report.updated) == ["lee@hillside.example", "mia@hillside.example", "nia@hillside.example"]  # fmt: skip
    assert len(report.unchanged) == 6
    mia, mia_roles = person(services, "mia@hillside.example")
    assert (mia.name, mia.school, mia.grade) == ("Mia Mentor-Diaz", "Jefferson", "6")
    assert mia_roles == {"mentor", "lead_mentor"}
    assert person(services, "lee@hillside.example")[1] == {"mentor"}
    assert person(services, "nia@hillside.example")[0].hire_date == date(2026, 10, 26)
    assert mia.id == roster["mia@hillside.example"]  # upserted by email, not replaced
    assert count_people(services) == 10


def test_dry_run_reports_and_changes_nothing(services: Services, program: ProgramInfo) -> None:
    report = services.roster.import_csv(ROSTER_CSV, dry_run=True)
    assert report.ok and report.dry_run
    assert not report.applied
    assert sorted(report.created) == ALL_EMAILS
    assert count_people(services) == 0


def test_dry_run_of_changes_reports_updates_only(
    services: Services, roster: dict[str, int]
) -> None:
    text = ROSTER_CSV.replace("Max Mentor,mentor,Jefferson", "Max Mentor,mentor,Lincoln")
    report = services.roster.import_csv(text, dry_run=True)
    assert report.ok and not report.applied
    assert report.updated == ["max@hillside.example"]
    assert len(report.unchanged) == 8
    assert person(services, "max@hillside.example")[0].school == "Jefferson"


NO_IDS = csv_text(
    "cora@hillside.example,Cora Coordinator,coordinator,,,,,,,",
    "lee@hillside.example,Lee Lead,mentor;lead_mentor,Lincoln,,,,,,",
    "bea@hillside.example,Bea Beginner,mentee,Lincoln,,,beginning_teacher,,,",
)


def directory(slack_api: FakeSlackApi) -> WebDirectory:
    return WebDirectory(WebClient(token="xoxb-x", base_url=slack_api.url))


def test_lookup_by_email_fills_slack_ids(
    services: Services, program: ProgramInfo, slack_api: FakeSlackApi
) -> None:
    slack_api.add_user("cora@hillside.example", "U0CORA", "Cora")
    slack_api.add_user("LEE@hillside.example", "U0LEE", "Lee")
    report = services.roster.import_csv(NO_IDS, directory=directory(slack_api))
    assert report.ok and report.applied
    assert person(services, "cora@hillside.example")[0].slack_user_id == "U0CORA"
    assert person(services, "lee@hillside.example")[0].slack_user_id == "U0LEE"
    assert person(services, "bea@hillside.example")[0].slack_user_id is None
    assert [(p.line, p.email) for p in report.unlinked] == [(4, "bea@hillside.example")]
    assert "users_not_found" in report.unlinked[0].reason
    assert len(slack_api.calls_to("users.lookupByEmail")) == 3


def test_slack_down_is_reported_as_unlinked_not_a_crash(
    services: Services, program: ProgramInfo, slack_api: FakeSlackApi
) -> None:
    slack_api.set_down(True)
    report = services.roster.import_csv(NO_IDS, directory=directory(slack_api))
    assert report.ok and report.applied
    assert [p.email for p in report.unlinked] == ["cora@hillside.example", "lee@hillside.example", "bea@hillside.example"]  # fmt: skip
    assert all("lookup by email failed" in p.reason for p in report.unlinked)
    assert count_people(services) == 3


def test_without_a_directory_rows_without_ids_are_unlinked(
    services: Services, program: ProgramInfo
) -> None:
    report = services.roster.import_csv(NO_IDS)
    assert report.ok and report.applied
    assert len(report.unlinked) == 3
    assert "no Slack token" in report.unlinked[0].reason


def test_known_ids_are_kept_without_a_lookup(
    services: Services, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    report = services.roster.import_csv(NO_IDS, directory=directory(slack_api))
    assert report.ok and report.unlinked == []
    assert slack_api.calls_to("users.lookupByEmail") == []
    assert person(services, "lee@hillside.example")[0].slack_user_id == "U0LEE"


def test_a_slack_id_owned_by_another_person_is_a_problem(
    services: Services, roster: dict[str, int]
) -> None:
    text = csv_text("zed@hillside.example,Zed Zero,mentor,Lincoln,,,,,,U0MIA")
    report = services.roster.import_csv(text)
    assert not report.ok and not report.applied
    assert [(p.line, p.email) for p in report.problems] == [(2, "zed@hillside.example")]
    assert "U0MIA belongs to mia@hillside.example" in report.problems[0].reason
    assert count_people(services) == 9


def test_a_looked_up_id_owned_by_another_person_is_a_problem(
    services: Services, roster: dict[str, int], slack_api: FakeSlackApi
) -> None:
    slack_api.add_user("zed@hillside.example", "U0MIA")
    text = ROSTER_CSV + "zed@hillside.example,Zed Zero,mentor,Lincoln,,,,,,\n"
    report = services.roster.import_csv(text, directory=directory(slack_api))
    assert not report.ok and not report.applied
    assert "U0MIA belongs to mia@hillside.example" in report.problems[0].reason
    assert report.unlinked == []
    assert count_people(services) == 9


def test_a_looked_up_id_given_to_another_row_is_a_problem(
    services: Services, program: ProgramInfo, slack_api: FakeSlackApi
) -> None:
    """Lookup says ann's Slack account is U0BOB, which the file gives to bob: reject, don't crash."""
    slack_api.add_user("ann@hillside.example", "U0BOB")
    text = csv_text("ann@hillside.example,Ann,mentor,,,,,,,", "bob@hillside.example,Bob,mentor,,,,,,,U0BOB")  # fmt: skip
    report = services.roster.import_csv(text, directory=directory(slack_api))
    assert not report.ok and not report.applied
    assert {p.line for p in report.problems} & {2, 3}
    assert any("U0BOB" in p.reason for p in report.problems)
    assert count_people(services) == 0
