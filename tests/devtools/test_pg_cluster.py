"""Tests for the throwaway PostgreSQL cluster helper."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from tests.pg_cluster import DATABASE, find_pg_bin, start, stop


@pytest.fixture
def pg_available() -> None:
    """Skip without PostgreSQL binaries, except on CI where they must be installed."""
    if find_pg_bin() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL binaries not found on CI (install postgresql or set PG_BIN)")
        pytest.skip("PostgreSQL binaries not found (install postgresql or set PG_BIN)")


@pytest.mark.usefixtures("pg_available")
def test_start_connect_stop(tmp_path: Path) -> None:
    """start() yields a reachable, tuned database; a second start reuses it; stop() removes it."""
    handle = tmp_path / "pg"
    try:
        url = start(handle)
        assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
        assert url.endswith(f"/{DATABASE}")
        assert start(handle) == url
        with psycopg.connect(url.replace("+psycopg", "", 1), connect_timeout=10) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            settings = {
                name: conn.execute(f"show {name}").fetchone()
                for name in ("max_connections", "fsync", "listen_addresses")
            }
        assert settings == {
            "max_connections": ("200",),
            "fsync": ("off",),
            "listen_addresses": ("127.0.0.1",),
        }
    finally:
        stop(handle)
    assert not handle.exists()
    stop(handle)


def test_stop_refuses_a_foreign_directory(tmp_path: Path) -> None:
    """stop() will not delete a non-empty directory that holds no cluster."""
    (tmp_path / "keep.txt").write_text("precious")
    with pytest.raises(RuntimeError, match="refusing"):
        stop(tmp_path)
    assert (tmp_path / "keep.txt").exists()
