"""Program files at the edges: every number, date, name and path bounded, each problem named by
its key, all of them in one pass, and a bad file changes nothing (bot/domain/policy/)."""

# Table tests keep one case per line, even when the TOML of a case is long.

from __future__ import annotations

import os
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import Services
from bot.cli.main import main
from bot.config import ENV_NAMES
from bot.domain.policy import (
    ProgramConfigError,
    load_program_toml,
    parse_program_toml,
    program_to_toml,
)
from bot.domain.policy.limits import MAX_ICS_BYTES
from schedules import jobs
from tests.support.hillside import PROGRAM_KEYS, PROGRAM_TOML, ROSTER_CSV

NY = ZoneInfo("America/New_York")
ICS = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261126\nDTEND;VALUE=DATE:20261128\nEND:VEVENT\nEND:VCALENDAR\n"  # fmt: skip


def toml(keys: dict[str, str | None] | None = None, tables: str = "") -> str:
    merged = {**PROGRAM_KEYS, **(keys or {})}
    return "".join(f"{k} = {v}\n" for k, v in merged.items() if v is not None) + tables


def problems_of(text: str, base_dir: Path | None = None) -> list[str]:
    with pytest.raises(ProgramConfigError) as info:
        parse_program_toml(text, base_dir=base_dir)
    return info.value.problems


def rule(body: str) -> str:
    return f'[[deadlines]]\nkey = "orientation"\n{body}\n'


def override(body: str) -> str:
    return f"[overrides]\n{body}\n"


# ---- thirty absurd files, each refused with the key at fault --------------------------------


@pytest.mark.parametrize(
    ("keys", "tables", "key"),
    [
        ({}, rule("offset_days = 999999999"), "deadlines[0].offset_days: input should be less than or equal to 366"),
        ({}, rule("offset_days = -999999999"), "deadlines[0].offset_days: input should be greater than or equal to -366"),
        ({}, rule("nudge_days_before = 100000"), "deadlines[0].nudge_days_before:"),
        ({}, rule("late_hire_school_days = -1"), "deadlines[0].late_hire_school_days:"),
        ({}, '[[deadlines]]\nkey = "mentor_assigned"\nrepeat_every_school_days = 1000000000\n', "deadlines[0].repeat_every_school_days:"),
        ({}, rule(f'title = "{"t" * 201}"'), "deadlines[0].title: is longer than 200 characters"),
        ({}, f'[[deadlines]]\nkey = "{"k" * 41}"\ntitle = "T"\napplies_to = ["mentor"]\nanchor = "school_year_start"\n', "deadlines[0].key: is longer than 40"),
        ({}, "".join(f'[[deadlines]]\nkey = "rule_{i}"\ntitle = "R"\napplies_to = ["mentor"]\nanchor = "school_year_start"\n' for i in range(51)), "deadlines: 51 rows; at most 50"),
        ({"school_year_start": "9999-08-31", "school_year_end": "9999-12-18"}, "", "school_year_start: 9999-08-31 is outside 2000–2100"),
        ({"school_year_start": "1900-08-31", "school_year_end": "1901-06-18"}, "", "school_year_start: 1900-08-31 is outside 2000–2100"),
        ({"non_school_days": "[0001-01-01]"}, "", "non_school_days[0]: 0001-01-01 is outside 2000–2100"),
        ({"vacations": "[{start = 2026-12-24, end = 9999-12-31}]"}, "", "vacations[0].end: 9999-12-31 is outside"),
        ({"vacations": f'[{{start = 2026-12-24, end = 2027-01-01, name = "{"v" * 201}"}}]'}, "", "vacations[0].name: is 201 characters long"),
        ({"name": f'"{"n" * 201}"'}, "", "name: is 201 characters long (at most 200)"),
        ({"timezone": f'"{"Z" * 65}"'}, "", "timezone: is longer than 64 characters"),
        ({"program_year_start_month": "13"}, "", "program_year_start_month: input should be less than or equal to 12"),
        ({"calendar_ics_days": "[9999-01-01]"}, "", "calendar_ics_days[0]: 9999-01-01 is outside"),
        ({}, override("weekly_target_minutes = 100000"), "overrides.weekly_target_minutes: input should be less than or equal to 2400"),
        ({}, override("weekly_target_minutes = true"), "overrides.weekly_target_minutes: input should be a valid integer (got True)"),
        ({}, override("weekly_target_minutes = 60.5"), "overrides.weekly_target_minutes: input should be a valid integer"),
        ({}, override("assignment_window_days = 100000"), "overrides.assignment_window_days:"),
        ({}, override("no_contact_school_days = 1000000"), "overrides.no_contact_school_days:"),
        ({}, override("year2_target_hours = 1000000000"), "overrides.year2_target_hours:"),
        ({}, override("hourly_rate_cents = 1000000000000"), "overrides.hourly_rate_cents:"),
        ({}, override("lead_stipend_cents = -5"), "overrides.lead_stipend_cents:"),
        ({}, override("max_minutes_per_day = 100000"), "overrides.max_minutes_per_day:"),
        ({}, override("orientation_late_hire_school_days = 100000"), "overrides.orientation_late_hire_school_days:"),
        ({}, override("overdue_alert_repeat_school_days = 0"), "overrides.overdue_alert_repeat_school_days:"),
        ({}, override('digest_weekday = "9"'), "overrides.digest_weekday:"),
        ({}, override('kinds = ["meeting", "walkthrough"]'), "overrides.kinds: can't be overridden: /logmeeting and its form use the preset's kinds"),
        ({}, override('standards = ["I", "V V"]'), "overrides.standards: 'V V' is not a standard code"),
        ({"calendar_ics": "42"}, "", "calendar_ics: expected a file path string"),
        ({"non_school_days": "[" + ", ".join(["2026-09-07"] * 401) + "]"}, "", "non_school_days: tuple should have at most 400 items"),
        ({"vacations": "[" + ", ".join(["[2026-12-24, 2027-01-01]"] * 101) + "]"}, "", "vacations: tuple should have at most 100 items"),
    ],
)  # fmt: skip
def test_an_absurd_value_is_refused_with_its_key(
    keys: dict[str, str | None], tables: str, key: str
) -> None:
    problems = problems_of(toml(keys, tables))
    assert any(p.startswith(key) for p in problems), problems


def test_every_problem_of_a_file_is_named_in_one_pass() -> None:
    text = toml(
        {
            "name": f'"{"n" * 300}"',
            "non_school_days": "[2026-09-07, 2030-01-01, 9999-01-01]",
            "vacations": "[{start = 2026-12-28, end = 2026-12-20}]",
            "colour": '"blue"',
        },
        override("weekly_target_minutes = -1\nkinds = []\nhourly_rate = 5")
        + rule("offset_days = 999999999"),
    )
    keys = [p.split(":")[0] for p in problems_of(text)]
    assert sorted(keys) == sorted(
        [
            "name",
            "non_school_days[2]",
            "colour",
            "non_school_days[1]",  # outside the school year: checked though other keys failed
            "vacations[0]",
            "overrides.kinds",
            "overrides.hourly_rate",
            "overrides.weekly_target_minutes",
            "deadlines[0].offset_days",  # checked though the overrides failed
        ]
    )


def test_the_bounds_themselves_are_accepted() -> None:
    text = toml(
        {"name": f'"{"n" * 200}"'},
        override("weekly_target_minutes = 2400\nhourly_rate_cents = 100000")
        + rule("offset_days = 366\nnudge_days_before = 366"),
    )
    config = parse_program_toml(text)
    policy = config.effective_policy()
    orientation = policy.deadline("orientation")
    assert orientation is not None and orientation.offset_days == 366
    assert (len(config.name), policy.weekly_target_minutes) == (200, 2400)


# ---- calendar_ics stays in the program file's folder -------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inside = tmp_path / "district"
    (inside / "cal").mkdir(parents=True)
    (inside / "cal" / "days.ics").write_text(ICS, encoding="utf-8")
    (tmp_path / "outside.ics").write_text(ICS, encoding="utf-8")
    return inside


def test_a_relative_calendar_inside_the_folder_is_read(folder: Path) -> None:
    path = folder / "program.toml"
    path.write_text(toml({"calendar_ics": '"cal/days.ics"'}), encoding="utf-8")
    config = load_program_toml(path)
    assert config.calendar_ics == "cal/days.ics"
    assert config.calendar_ics_days == (date(2026, 11, 26), date(2026, 11, 27))
    assert parse_program_toml(program_to_toml(config)) == config  # as stored: nothing read


@pytest.mark.parametrize(
    ("ics", "expected"),
    [
        ('"/etc/passwd"', "calendar_ics: '/etc/passwd' is an absolute path; give a path relative to the program file's folder"),
        ('"~/days.ics"', "calendar_ics: '~/days.ics' is an absolute path"),
        ('"../outside.ics"', "calendar_ics: '../outside.ics' leads outside the program file's folder"),
        ('"cal/../../outside.ics"', "calendar_ics: 'cal/../../outside.ics' leads outside"),
        ('"cal"', "calendar_ics: 'cal' is not a file"),
        ('""', "calendar_ics: must not be empty"),
        ('"missing.ics"', "calendar_ics: file not found: missing.ics"),
    ],
)  # fmt: skip
def test_a_calendar_outside_the_folder_is_refused(folder: Path, ics: str, expected: str) -> None:
    problems = problems_of(toml({"calendar_ics": ics}), base_dir=folder)
    assert any(p.startswith(expected) for p in problems), problems


def test_the_absolute_path_of_a_real_file_inside_the_folder_is_refused(folder: Path) -> None:
    target = folder / "cal" / "days.ics"
    (problem,) = problems_of(toml({"calendar_ics": f'"{target}"'}), base_dir=folder)
    assert problem.startswith("calendar_ics: '/")
    assert problem.endswith(
        "is an absolute path; give a path relative to the program file's folder "
        '(e.g. "holidays.ics")'
    )


def test_a_symlink_leading_out_of_the_folder_is_refused(folder: Path) -> None:
    os.symlink(folder.parent / "outside.ics", folder / "link.ics")
    problems = problems_of(toml({"calendar_ics": '"link.ics"'}), base_dir=folder)
    assert problems[0].startswith("calendar_ics: 'link.ics' leads outside")


def test_an_oversized_calendar_is_refused(folder: Path) -> None:
    (folder / "big.ics").write_bytes(b"X" * (MAX_ICS_BYTES + 1))
    problems = problems_of(toml({"calendar_ics": '"big.ics"'}), base_dir=folder)
    assert problems == ["calendar_ics: 'big.ics' is larger than 2 MB"]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ("DTSTART;VALUE=DATE:20261126\nDURATION:P9999999D", "calendar_ics: days.ics: line 3: unsupported DURATION"),
        ("DTSTART;VALUE=DATE:20261126\nDURATION:P999999W", "calendar_ics: days.ics: line 3: DURATION P999999W is 6999993 days"),
        ("DTSTART;VALUE=DATE:20261126\nDURATION:P400D", "calendar_ics: days.ics: line 3: DURATION P400D is 400 days (at most 366)"),
        ("DTSTART;VALUE=DATE:20261126\nDTEND;VALUE=DATE:20281126", "calendar_ics: days.ics: line 3: the event lasts 731 days"),
    ],
)  # fmt: skip
def test_calendar_events_are_bounded(folder: Path, event: str, expected: str) -> None:
    (folder / "days.ics").write_text(f"BEGIN:VEVENT\n{event}\nEND:VEVENT\n", encoding="utf-8")
    problems = problems_of(toml({"calendar_ics": '"days.ics"'}), base_dir=folder)
    assert any(p.startswith(expected) for p in problems), problems


def test_calendar_events_far_outside_any_school_year_are_ignored(folder: Path) -> None:
    far = "BEGIN:VEVENT\nDTSTART;VALUE=DATE:99991231\nDURATION:P7D\nEND:VEVENT\n"
    (folder / "days.ics").write_text(ICS + far, encoding="utf-8")
    config = parse_program_toml(toml({"calendar_ics": '"days.ics"'}), base_dir=folder)
    assert config.calendar_ics_days == (date(2026, 11, 26), date(2026, 11, 27))


def test_a_stored_program_never_reads_a_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    config = parse_program_toml(toml({"calendar_ics": '"cal/days.ics"'}))  # no base_dir
    assert config.calendar_ics_days == ()


# ---- what passes the bounds runs: the jobs at the extremes ----------------------------------


def test_the_jobs_run_with_every_offset_at_its_bound(services: Services) -> None:
    tables = (
        '[[deadlines]]\nkey = "orientation"\noffset_days = 366\nnudge_days_before = 366\n'
        '[[deadlines]]\nkey = "mentor_training"\noffset_days = -366\nnudge_days_before = 366\n'
        '[[deadlines]]\nkey = "mentor_assigned"\noffset_days = 366\nrepeat_every_school_days = 200\n'
        '[[deadlines]]\nkey = "late_rule"\ntitle = "Late"\napplies_to = ["beginning_teacher"]\n'
        'anchor = "fixed_date"\nfixed_month_day = "12-31"\noffset_days = 366\n'
    )
    services.programs.load(parse_program_toml(toml({}, tables)))
    assert services.roster.import_csv(ROSTER_CSV).ok
    ran = {}
    for day in ("2026-11-16", "2026-11-18", "2027-06-18"):  # Mon (digest day), Wed, last day
        now = datetime.combine(date.fromisoformat(day), time(8, 0), NY)
        for name in jobs.PRODUCERS:
            ran[day, name] = jobs.produce(services, name, now)  # no OverflowError
    assert ran["2026-11-16", "weekly-digest"] is not None
    assert ran["2026-11-18", "deadline-sweep"] is not None


# ---- the command: a bad file changes nothing ------------------------------------------------


def test_program_load_of_a_bad_file_changes_nothing(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    (tmp_path / "good.toml").write_text(PROGRAM_TOML, encoding="utf-8")
    assert main(["program", "load", "good.toml"]) == 0
    before = capsys.readouterr() and main(["program", "show"]) == 0 and capsys.readouterr().out

    bad = toml(
        {"name": f'"{"n" * 201}"', "calendar_ics": '"/etc/passwd"'},
        rule("offset_days = 999999999"),
    )
    (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
    assert main(["program", "load", "bad.toml"]) == 1
    err = capsys.readouterr().err
    assert "bad.toml: nothing changed, because:" in err
    for key in ("name:", "calendar_ics:", "deadlines[0].offset_days:"):
        assert f"\n  {key}" in err, err
    assert "Traceback" not in err
    assert main(["program", "show"]) == 0
    assert capsys.readouterr().out == before


def test_a_reversed_year_or_an_unknown_preset_hides_no_other_problem() -> None:
    """One pass: a school year ending before it starts still lets a reversed vacation be named,
    and an unknown preset still lets the deadline rows be checked (against the default)."""
    text = toml(
        {
            "school_year_end": "2026-06-01",
            "policy": '"zz"',
            "vacations": "[{start = 2026-12-28, end = 2026-12-20}]",
        },
        rule("offset_days = 999999999"),
    )
    keys = sorted(p.split(":")[0] for p in problems_of(text))
    assert keys == sorted(["school_year_end", "policy", "vacations[0]", "deadlines[0].offset_days"])
