"""Partnerships (report item h) through `mentor-minutes partnership add|list|remove` on both
databases: validated with every problem named, nothing stored on a refusal; the report's source."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Services
from bot.domain.partnerships import PartnershipLine, clean_partnership
from bot.store.models.core import Partnership
from tests.support.cli import Cli
from tests.support.hillside import NOW, PROGRAM_TOML


@pytest.fixture
def loaded(cli: Cli) -> Cli:
    """The CLI with the contract's program loaded (no roster)."""
    assert cli("program", "load", cli.write("program.toml", PROGRAM_TOML)).code == 0
    return cli


def partnerships(cli: Cli) -> int:
    return int(cli.scalar(select(func.count()).select_from(Partnership)) or 0)  # type: ignore[arg-type]


def test_add_list_remove(loaded: Cli) -> None:
    empty = loaded("partnership", "list")
    assert empty.out == ("No partnerships: no partnerships have been entered.\n")
    added = loaded(
        "partnership", "add", "State University", "--kind", "higher-education",
        "--supports", "mentor training  and  coursework credit",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert added.out == (
        "Entered State University (higher_education): mentor training and coursework credit\n"
    )
    assert loaded("partnership", "add", "Teachers Association", "--kind", "association", "--supports", "release time").code == 0  # fmt: skip
    listing = loaded("partnership", "list")
    assert listing.out.splitlines() == [
        "State University (higher_education): mentor training and coursework credit",
        "Teachers Association (association): release time",
    ]
    assert loaded("partnership", "remove", "state university").code == 0
    assert partnerships(loaded) == 1
    missing = loaded("partnership", "remove", "Nobody")
    assert missing.code == 1 and "There is no partnership called 'Nobody'" in missing.err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ("X", "--kind", "club", "--supports", "y"),
            "kind 'club' is not one of district, association, higher_education, community, other",
        ),
        (("X", "--kind", "district", "--supports", "  "), "supports is empty"),
        (("  ", "--kind", "bogus", "--supports", "y"), "name is empty; kind 'bogus' is not one of"),
    ],
)
def test_bad_partnerships_are_refused_with_every_problem(
    loaded: Cli, args: tuple[str, ...], says: str
) -> None:
    result = loaded("partnership", "add", *args)
    assert result.code == 1
    assert says in result.err and "Nothing was stored." in result.err
    assert partnerships(loaded) == 0


def test_a_second_partnership_of_the_same_name_is_refused(loaded: Cli) -> None:
    assert loaded("partnership", "add", "Ed Collab", "--kind", "district", "--supports", "a").code == 0  # fmt: skip
    again = loaded("partnership", "add", "ed collab", "--kind", "district", "--supports", "b")
    assert again.code == 1 and "'ed collab' is already entered" in again.err
    assert partnerships(loaded) == 1


def test_the_summary_says_entered_or_none(services: Services, program: object) -> None:
    assert services.partnerships.summary(NOW).source.kind == "none"
    services.partnerships.add("Ed Collab", "district", "induction consortium", NOW)
    summary = services.partnerships.summary(NOW)
    assert summary.source.kind == "entered" and summary.count == 1
    assert summary.partnerships == (PartnershipLine("Ed Collab", "district", "induction consortium"),)  # fmt: skip


def test_clean_partnership_is_pure() -> None:
    assert clean_partnership(" A  B ", "Higher Education", "x") == PartnershipLine(
        "A B", "higher_education", "x"
    )
    assert clean_partnership("a" * 201, "other", "x") == ["name is longer than 200 characters"]
