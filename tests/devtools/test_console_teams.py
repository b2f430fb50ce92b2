"""The console with two districts on one database (issue 21): it drives the program it was
given, whatever workspace id its requests carry."""

from __future__ import annotations

import io

from bot.bootstrap import Services
from bot.config import Settings
from bot.devtools.console import run_console
from tests.support.tenants import two_districts


def test_the_console_drives_the_program_it_is_given(settings: Settings, services: Services) -> None:
    world = two_districts(services)
    for district, present, absent in (
        (world.riverside, "Lee Lead Rivers", "isn't set up"),
        (world.hillside, "Lee Lead", "Rivers"),
    ):
        out = io.StringIO()
        code = run_console(
            settings, district, io.StringIO(":home\n"), out, as_email="lee@hillside.example"
        )
        assert code == 0
        assert present in out.getvalue() and absent not in out.getvalue()
