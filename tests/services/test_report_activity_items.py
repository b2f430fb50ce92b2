"""Items (a), (f) and (h) as the annual report takes them (`ReportItem`), on both databases:
the figures of the activity, retention and partnership services, in JSON, Markdown and CSV with
the same numbers — and never an activity's notes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.bootstrap import Services
from bot.cli.report_format import report_csv, report_json, report_markdown
from bot.clock import FixedClock
from bot.domain.activities import ActivityRequest, activities_item
from bot.domain.partnerships import partnerships_item
from bot.domain.policy import parse_program_toml
from bot.domain.retention import retention_item
from tests.support.hillside import NOW, ROSTER_CSV
from tests.support.years import EXITS, NEXT_ROSTER, NEXT_TOML, with_exits

SECRET_NOTE = "Bo is thinking of quitting"


def request(kind: str, day: str, minutes: int, by: str, *who: str, notes: str | None = None) -> ActivityRequest:  # fmt: skip
    return ActivityRequest(
        kind,
        minutes,
        tuple(f"{w}@hillside.example" for w in who),
        date.fromisoformat(day),
        f"{by}@hillside.example",
        notes,
    )


@pytest.fixture
def recorded(services: Services, pairs: None) -> Services:
    """A year of activities, HR's exits, one partnership."""
    for activity in (
        request("orientation", "2026-08-27", 120, "cora", "bea", "ike", "bo"),
        request("group", "2026-10-14", 90, "lee", "bea", "ike", "mia", notes=SECRET_NOTE),
        request("training", "2026-09-12", 180, "cora", "mia", "max"),
    ):
        services.activities.record_from_cli(activity, NOW)
    assert services.roster.import_csv(with_exits(ROSTER_CSV, EXITS)).ok
    services.partnerships.add("State University", "higher_education", "mentor training", NOW)
    return services


def report_with_items(services: Services, now: datetime) -> Any:
    """The annual report as `report annual` builds it: the items come from the container's
    wiring (`ReportService.sources`)."""
    return services.reports.annual("2026-27", now)


def test_the_items_fill_a_f_h_with_the_same_figures_in_every_form(
    recorded: Services, clock: FixedClock
) -> None:
    recorded.years.start(parse_program_toml(NEXT_TOML), NEXT_ROSTER, clock.now())
    clock.set(datetime(2027, 9, 20, 15, tzinfo=UTC))
    report = report_with_items(recorded, clock.now())
    body = json.loads(report_json(report))
    a, f, h = (body["teachers"][k] for k in "afh")
    assert (a["value"], a["source"]) == (3, "counted")
    group = next(row for row in a["rows"] if row["kind"] == "group")
    assert group == {"kind": "group", "activities": 1, "attendance": 3, "attendances": 3, "minutes": 90, "hours": 1.5}  # fmt: skip
    assert a["mentoring"] == [
        {
            "kind": "group",
            "entries": 2,
            "pair_minutes": 180,
            "mentor_minutes": 180,
            "sessions": 2,
            "observations": 0,
            "visits": 0,
            "visit_minutes": 0,
        }
    ]
    assert (f["value"], f["source"], f["hires"], f["cohort"]) == (0.6667, "counted", 3, 3)
    assert f["rows"] == [{"year": "2027-28", "school": "(all)", "retained": 2, "cohort": 3, "rate": 0.6667}]  # fmt: skip
    admin = body["administrators"]
    assert list(admin) == list("abcdefghi")
    assert (admin["f"]["title"], admin["f"]["source"]) == ("Hiring and retention of first-year administrators", "none")  # fmt: skip
    assert "no beginning administrator hired" in admin["f"]["reason"]
    admin_g = admin["g"]  # teachers (beginning and incoming) by school, 603 CMR 7.13 (g)
    assert (admin_g["title"], admin_g["value"], admin_g["hires"], admin_g["cohort"]) == ("Teacher hiring and retention, by school", 0.75, 4, 4)  # fmt: skip
    assert [(r["school"], r["hires"], r["cohort"], r["retained_next_year"], r["rate_next_year"], r["retained_year_after"]) for r in admin_g["rows"]] == [
        ("(all)", 4, 4, 3, 0.75, None),
        ("Jefferson", 2, 2, 1, 0.5, None),
        ("Lincoln", 2, 2, 2, 1.0, None),
    ]  # fmt: skip
    assert admin_g["years"] == {"next_year": "2027-28", "year_after": "2028-29"}
    assert admin["i"]["title"] == "Partnerships" and admin["i"]["rows"] == h["rows"]
    assert admin["h"]["source"] == "none" and "not linked to people" in admin["h"]["reason"]
    assert (h["value"], h["source"], h["rows"]) == (1, "entered", [{"name": "State University", "kind": "higher_education", "supports": "mentor training"}])  # fmt: skip
    markdown = report_markdown(report)
    assert "### (a) Program activities: 3" in markdown
    assert "| group | 1 | 3 | 3 | 90 | 1.50 |" in markdown
    assert "### (f) Hiring and retention of beginning educators: 0.67" in markdown
    assert "still employed when 2027-28 began: 2 of 3 (66.7 %)" in markdown
    assert "retention into 2028-29: no successor year yet" in markdown
    assert "| State University | higher\\_education | mentor training |" in markdown
    admins = markdown[markdown.index("## Administrators") :]
    assert "### (g) Teacher hiring and retention, by school: 0.75" in admins
    assert "| school | hires | cohort | retained next year | rate next year | retained year after | rate year after |" in admins  # fmt: skip
    assert "| (all) | 4 | 4 | 3 | 0.75 | — | — |" in admins
    assert "| Jefferson | 2 | 2 | 1 | 0.50 | — | — |" in admins
    assert "| Lincoln | 2 | 2 | 2 | 1.00 | — | — |" in admins
    assert "### (i) Partnerships: 1" in admins
    csv = report_csv(report)
    assert "teachers,a,value,3" in csv and "teachers,f,value,0.6667" in csv
    assert "teachers,h,State University:kind,higher_education" in csv
    for line in ("administrators,g,(all):hires,4", "administrators,g,Jefferson:retained_next_year,1", "administrators,g,Lincoln:rate_next_year,1.0", "administrators,g,Lincoln:retained_year_after,", "administrators,i,State University:kind,higher_education"):  # fmt: skip
        assert line in csv.splitlines(), line
    for text in (report_json(report), markdown, csv):
        assert SECRET_NOTE not in text


def test_before_the_successor_year_the_item_says_so_and_is_still_missing(
    recorded: Services, clock: FixedClock
) -> None:
    item = retention_item(recorded.retention.summary("2026-27", clock.now()))
    assert item.source == "counted" and item.value is None and item.rows == ()
    assert item.attention == (
        "retention into 2027-28: no successor year yet: 2027-28 is not started "
        "(mentor-minutes year start)",
    )


def test_nothing_recorded_is_none_with_the_reason(services: Services, roster: dict[str, int]) -> None:  # fmt: skip
    assert activities_item(services.activities.summary(None, NOW)).source == "none"
    none_h = partnerships_item(services.partnerships.summary(NOW))
    assert (none_h.source, none_h.reason) == ("none", "no partnerships have been entered")  # fmt: skip
    admin = retention_item(services.retention.summary(None, NOW, ("beginning_administrator",)))
    assert admin.source == "none" and "no beginning administrator" in (admin.reason or "")
