"""A throwaway PostgreSQL cluster for tests: `python tests/pg_cluster.py start|stop DIR`.

Uses only the standard library so any Python 3.11 can run it. DIR is a handle directory:
DIR/cluster.json records the cluster's state and DIR/data is its data directory (which is also
the unix socket directory). When running as root, PostgreSQL runs as `nobody`; if `nobody`
cannot reach DIR (e.g. pytest's 0700 tmp dirs), the data directory is put in a fresh private
directory under the system temp dir instead and removed again by `stop`.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

DATABASE = "mentor_minutes_test"
SUPERUSER = "postgres"
UNPRIVILEGED_USER = "nobody"
STATE_FILE = "cluster.json"
CONF_FILE = "mm_test.conf"
START_TIMEOUT_S = 60
_START_ATTEMPTS = 3
_MAX_SOCKET_DIR_LEN = 80  # unix socket paths are limited to 107 bytes


class PgClusterError(RuntimeError):
    """Starting or stopping the throwaway cluster failed."""


@dataclass
class _State:
    """What DIR/cluster.json records about a cluster."""

    bin_dir: str
    pgdata: str
    external: bool
    port: int = 0


@dataclass(frozen=True)
class _RunAs:
    """The OS user PostgreSQL runs as (None fields: the current user)."""

    uid: int | None
    gid: int | None

    @property
    def switches(self) -> bool:
        """Whether commands run as another user."""
        return self.uid is not None


def find_pg_bin() -> Path | None:
    """PostgreSQL's bin dir: $PG_BIN, else newest /usr/lib/postgresql/*/bin, else pg_config."""
    env = os.environ.get("PG_BIN")
    if env:
        return Path(env) if (Path(env) / "initdb").exists() else None
    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()]
    if candidates:
        return max(candidates, key=_version_key)
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").exists():
            return bindir
    return None


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    """Sort key for /usr/lib/postgresql/<version>/bin by numeric version."""
    return tuple(int(n) for n in re.findall(r"\d+", bin_dir.parent.name)) or (0,)


def _run_as() -> _RunAs:
    """Run as `nobody` when root (PostgreSQL refuses root), else as ourselves."""
    if os.geteuid() != 0:
        return _RunAs(uid=None, gid=None)
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError as exc:
        raise PgClusterError(f"running as root and no {UNPRIVILEGED_USER!r} user") from exc
    return _RunAs(uid=entry.pw_uid, gid=entry.pw_gid)


def _run(
    cmd: list[str], run_as: _RunAs, *, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a command (as `run_as`), capturing output; never raises on a non-zero exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    if run_as.switches:
        return subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            cwd="/",
            env=env,
            user=run_as.uid,
            group=run_as.gid,
            extra_groups=[],
            umask=0o077,
        )
    return subprocess.run(
        cmd, capture_output=True, text=True, check=False, timeout=timeout, cwd="/", env=env
    )


def _check(result: subprocess.CompletedProcess[str], what: str) -> None:
    """Raise PgClusterError with the command's output if it failed."""
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise PgClusterError(f"{what} failed (exit {result.returncode}):\n{output}")


def _reachable(path: Path, run_as: _RunAs) -> bool:
    """Whether `run_as` can enter `path` (every ancestor needs search permission)."""
    if not run_as.switches:
        return True
    return _run(["/bin/sh", "-c", 'test -x "$1"', "sh", str(path)], run_as).returncode == 0


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def url_for(port: int) -> str:
    """The SQLAlchemy URL of the test database on `port`."""
    return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"


def _load_state(handle: Path) -> _State | None:
    """Read DIR/cluster.json, if there is one."""
    path = handle / STATE_FILE
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return _State(**data)


def _save_state(handle: Path, state: _State) -> None:
    """Write DIR/cluster.json."""
    tmp = handle / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(asdict(state)))
    tmp.replace(handle / STATE_FILE)


def _chown(path: Path, run_as: _RunAs) -> None:
    """Give `path` to `run_as`, private (0700 for a directory, 0600 for a file)."""
    if run_as.uid is not None and run_as.gid is not None:
        os.chown(path, run_as.uid, run_as.gid)
    path.chmod(0o700 if path.is_dir() else 0o600)


def _new_state(handle: Path, bin_dir: Path, run_as: _RunAs) -> _State:
    """Decide where the data directory goes and create it, empty and owned by `run_as`."""
    if len(str(handle)) <= _MAX_SOCKET_DIR_LEN and _reachable(handle, run_as):
        pgdata, external = handle / "data", False
        pgdata.mkdir()
    else:
        pgdata, external = Path(tempfile.mkdtemp(prefix="mm-pg-")), True
    _chown(pgdata, run_as)
    return _State(bin_dir=str(bin_dir), pgdata=str(pgdata), external=external)


def _initdb(state: _State, run_as: _RunAs) -> None:
    """Initialise the cluster: trust auth on loopback only, settings via an included file."""
    pgdata = Path(state.pgdata)
    initdb = [
        str(Path(state.bin_dir) / "initdb"),
        "--pgdata",
        state.pgdata,
        "--username",
        SUPERUSER,
        "--auth",
        "trust",
        "--encoding",
        "UTF8",
        "--locale",
        "C",
        "--no-sync",
        "--no-instructions",
    ]
    _check(_run(initdb, run_as), "initdb")
    hba = pgdata / "pg_hba.conf"
    hba.write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    _chown(hba, run_as)
    with (pgdata / "postgresql.conf").open("a") as conf:
        conf.write(f"\ninclude_if_exists = '{CONF_FILE}'\n")


def _write_settings(pgdata: Path, port: int, run_as: _RunAs) -> None:
    """Write the per-start settings (port, durability off, connection limit)."""
    settings = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(port),
        "unix_socket_directories": f"'{pgdata}'",
        "max_connections": "200",
        "shared_buffers": "32MB",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "wal_level": "minimal",
        "max_wal_senders": "0",
        "max_wal_size": "1GB",
        "checkpoint_timeout": "1h",
        "log_min_messages": "warning",
    }
    path = pgdata / CONF_FILE
    path.write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
    _chown(path, run_as)


def _is_running(state: _State, run_as: _RunAs) -> bool:
    """Whether pg_ctl reports the server as running."""
    if not (Path(state.pgdata) / "postmaster.pid").exists():
        return False
    status = _run([str(Path(state.bin_dir) / "pg_ctl"), "status", "-D", state.pgdata], run_as)
    return status.returncode == 0


def _pg_ctl_start(state: _State, run_as: _RunAs) -> None:
    """Start the server on a free port, trying another port if the first one was taken."""
    pgdata = Path(state.pgdata)
    log = pgdata / "postmaster.log"
    error = ""
    for _ in range(_START_ATTEMPTS):
        port = _free_port()
        _write_settings(pgdata, port, run_as)
        cmd = [
            str(Path(state.bin_dir) / "pg_ctl"),
            "start",
            "-D",
            state.pgdata,
            "-l",
            str(log),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "-s",
        ]
        result = _run(cmd, run_as, timeout=START_TIMEOUT_S + 30)
        if result.returncode == 0:
            state.port = port
            return
        log_text = log.read_text(errors="replace") if log.exists() else ""
        error = (result.stdout + result.stderr + log_text[-4000:]).strip()
        if "could not bind" not in log_text and "in use" not in log_text:
            break
    raise PgClusterError(f"pg_ctl start failed:\n{error}")


def _psql(state: _State, sql: str) -> subprocess.CompletedProcess[str]:
    """Run one SQL statement over TCP as the superuser."""
    cmd = [
        str(Path(state.bin_dir) / "psql"),
        "-X",
        "-q",
        "-t",
        "-A",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        "127.0.0.1",
        "-p",
        str(state.port),
        "-U",
        SUPERUSER,
        "-d",
        "postgres",
        "-c",
        sql,
    ]
    return _run(cmd, _RunAs(uid=None, gid=None))


def _ensure_database(state: _State) -> None:
    """Create the test database unless it exists."""
    exists = _psql(state, f"select 1 from pg_database where datname = '{DATABASE}'")
    _check(exists, "checking for the test database")
    if exists.stdout.strip() != "1":
        _check(_psql(state, f'create database "{DATABASE}"'), "create database")


def start(dir: Path) -> str:
    """Initialise (if needed) and start a cluster in `dir`; return its SQLAlchemy URL."""
    handle = Path(dir).absolute()
    run_as = _run_as()
    state = _load_state(handle)
    if state is not None and _is_running(state, run_as):
        return url_for(state.port)
    if state is None:
        if handle.exists() and any(handle.iterdir()):
            raise PgClusterError(f"{handle} is not empty and holds no {STATE_FILE}")
        bin_dir = find_pg_bin()
        if bin_dir is None:
            env = os.environ.get("PG_BIN")
            hint = f"(PG_BIN={env!r} has no initdb)" if env else "(set PG_BIN)"
            raise PgClusterError(f"no PostgreSQL binaries found {hint}")
        handle.mkdir(parents=True, exist_ok=True)
        state = _new_state(handle, bin_dir, run_as)
        _save_state(handle, state)
    pgdata = Path(state.pgdata)
    if not (pgdata / "PG_VERSION").exists():
        if any(pgdata.iterdir()):
            raise PgClusterError(f"{pgdata} is neither empty nor a cluster; run stop first")
        _initdb(state, run_as)
    _pg_ctl_start(state, run_as)
    _save_state(handle, state)
    _ensure_database(state)
    return url_for(state.port)


def stop(dir: Path) -> None:
    """Stop the cluster in `dir` (fast shutdown) and remove `dir`; a no-op if it is gone."""
    handle = Path(dir).absolute()
    if not handle.exists():
        return
    state = _load_state(handle)
    if state is None:
        if any(handle.iterdir()):
            raise PgClusterError(f"{handle} has no {STATE_FILE}; refusing to delete it")
        handle.rmdir()
        return
    pgdata = Path(state.pgdata)
    if (pgdata / "postmaster.pid").exists():
        cmd = [str(Path(state.bin_dir) / "pg_ctl"), "stop", "-D", state.pgdata, "-m", "fast"]
        result = _run([*cmd, "-w", "-t", "60", "-s"], _run_as(), timeout=90)
        if result.returncode != 0 and _is_running(state, _run_as()):
            _check(result, "pg_ctl stop")
    if state.external:
        shutil.rmtree(pgdata, ignore_errors=True)
    shutil.rmtree(handle)


def main(argv: list[str]) -> int:
    """Command-line entry point: `start DIR` prints the URL; `stop DIR` tears it down."""
    if argv == ["bin"]:
        bin_dir = find_pg_bin()
        if bin_dir is None:
            print("no PostgreSQL binaries found", file=sys.stderr)
            return 1
        print(bin_dir)
        return 0
    if len(argv) != 2 or argv[0] not in {"start", "stop"}:
        print("usage: pg_cluster.py bin | start DIR | stop DIR", file=sys.stderr)
        return 2
    command, target = argv[0], Path(argv[1])
    try:
        if command == "start":
            print(start(target), flush=True)
        else:
            stop(target)
    except (PgClusterError, OSError, subprocess.SubprocessError) as exc:
        print(f"pg_cluster.py {command} {target}: {exc}", file=sys.stderr)
        if command == "start":
            with contextlib.suppress(Exception):
                stop(target)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
