"""Running `mentor-minutes` in tests: `main([...])` in a clean working directory against one
database, its exit code and output captured."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot.cli.main import main
from bot.config import ENV_NAMES
from bot.store.models.core import Person

FROZEN_NOW = "2026-11-18T10:00:00-05:00"


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli:
    """Runs `main([...])` in a clean working directory against one database."""

    def __init__(self, capsys: pytest.CaptureFixture[str], workdir: Path, url: str) -> None:
        self.capsys = capsys
        self.workdir = workdir
        self.url = url

    def __call__(self, *argv: str) -> Result:
        self.capsys.readouterr()
        code = main(list(argv))
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def write(self, name: str, content: str) -> str:
        path = self.workdir / name
        path.write_text(content, encoding="utf-8")
        return name

    def scalar(self, statement: object) -> object:
        engine = create_engine(self.url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.connect() as conn:
                return conn.execute(statement).scalar()  # type: ignore[call-overload]
        finally:
            engine.dispose()

    def people(self) -> int:
        return int(self.scalar(select(func.count()).select_from(Person)) or 0)  # type: ignore[arg-type]


def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env from the repository
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MENTOR_MINUTES_NOW", FROZEN_NOW)
