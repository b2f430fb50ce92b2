"""Scale at the edges (issue 8, item 10): roster import and `/induction status` with 50,000 people.

    .venv/bin/python -m bench.edges_scale [--people 50000] [--pg POSTGRES_URL]

Each roster import runs in a fresh process, so its peak memory (max RSS) is its own; the
import is timed from the CSV text in memory to the commit. `/induction status` is a signed
slash command dispatched into the Bolt app from the real factory, timed end to end (the reply
is built in the ack) and measured in bytes of the JSON reply. Targets: import ≤ 10 s and
≤ 300 MB; status ≤ 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt import BoltRequest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from bot.bootstrap import build_services
from bot.clock import FixedClock
from bot.config import load_settings
from bot.devtools.slack_standin import FakeSlackApi
from bot.domain.policy import parse_program_toml
from bot.store.db import upgrade
from bot.store.models.core import Assignment, Person, PersonRole, Program
from bot.web.app import create_app

PEOPLE = 50_000
STATUS_RUNS = 5
NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # Wed 18 Nov 2026, 10:00 in New York
SIGNING_SECRET = "edges-scale-secret"
COORDINATOR = "UC0000001"
PROGRAM_TOML = """
name = "Scale Valley Public Schools"
timezone = "America/New_York"
policy = "ma"
school_year_start = 2026-08-31
school_year_end = 2027-06-18
non_school_days = [2026-09-07, 2026-10-12, 2026-11-11]
"""
HEADER = "email,name,roles,school,subject,grade,educator_type,license,hire_date,slack_user_id"
SUBJECTS = ("Math", "Science", "English", "History", "Art", "Music", "PE", "Spanish")
TYPES = ("beginning_teacher", "beginning_teacher", "incoming_teacher", "beginning_administrator")


def roster_csv(people: int, seed: int = 7, *, moved: bool = False) -> str:
    """A roster: one coordinator, 40 % mentors, 45 % mentees, the rest evaluators and leads
    (`moved`: everyone in another school, every tenth mentor also a lead mentor)."""
    rng = random.Random(seed)
    coordinator = "cora@scale.example,Cora Coordinator,coordinator,,,,,Professional,2010-08-23"
    lines = [HEADER, f"{coordinator},{COORDINATOR}"]
    for i in range(1, people):
        school = f"School {(i + moved) % 60:02d}"
        subject = SUBJECTS[i % len(SUBJECTS)]
        grade = str(i % 12 + 1)
        share = i % 20
        if share < 8:
            roles, kind, hired = "mentor", "", "2015-08-24"
            if moved and i % 10 == 0:
                roles = "mentor;lead_mentor"
        elif share < 17:
            kind = TYPES[i % len(TYPES)]
            roles = "mentee"
            hired = (date(2026, 8, 1) + timedelta(days=rng.randrange(120))).isoformat()
        elif share < 19:
            roles, kind, hired = "evaluator", "", "2008-08-25"
        else:
            roles, kind, hired = "mentor;lead_mentor", "", "2009-08-24"
        lines.append(
            f"p{i}@scale.example,Person {i:05d} {subject},{roles},{school},{subject},{grade},"
            f"{kind},Initial,{hired},U{i:08d}"
        )
    return "\n".join(lines) + "\n"


def settings_for(url: str, slack_api_url: str = "http://127.0.0.1:9/api/") -> Any:
    """Settings for the database; Slack's Web API at a loopback stand-in."""
    return load_settings(
        _env_file=None,
        DATABASE_URL=url,
        SLACK_BOT_TOKEN="xoxb-scale",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_APP_TOKEN="",
        SLACK_API_URL=slack_api_url,
        MENTOR_MINUTES_NOW=None,
    )


def fresh_database(workdir: Path, pg: str | None) -> str:
    """A migrated, empty database with the program loaded."""
    if pg:
        base = make_url(pg)
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "mm_edges_scale" WITH (FORCE)'))
            conn.execute(text('CREATE DATABASE "mm_edges_scale"'))
        admin.dispose()
        url = base.set(database="mm_edges_scale").render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{workdir / 'scale.db'}"
    upgrade(url)
    services = build_services(settings_for(url), clock=FixedClock(NOW))
    try:
        services.programs.load(parse_program_toml(PROGRAM_TOML))
    finally:
        services.close()
    return url


def import_in_child(url: str, csv_path: Path) -> dict[str, Any]:
    """Run one import in a fresh process; its seconds, peak RSS and what it reported."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from bot.clock import FixedClock\n"
        "from bot.bootstrap import build_services\n"
        "from bench.edges_scale import NOW, settings_for\n"
        "text = Path(sys.argv[2]).read_text(encoding='utf-8')\n"
        "services = build_services(settings_for(sys.argv[1]), clock=FixedClock(NOW))\n"
        "services.programs.current()\n"
        "start = time.perf_counter()\n"
        "report = services.roster.import_csv(text)\n"
        "seconds = time.perf_counter() - start\n"
        "services.close()\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': seconds, 'peak_mb': rss, 'ok': report.ok,\n"
        "  'created': len(report.created), 'updated': len(report.updated),\n"
        "  'unchanged': len(report.unchanged), 'problems': len(report.problems)}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", code, url, str(csv_path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def assign_pairs(url: str) -> int:
    """Assign a mentor to two mentees in three (bulk rows, as an import of history would)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        program_id = conn.execute(select(Program.id)).scalar_one()
        by_role: dict[str, list[int]] = {"mentor": [], "mentee": []}
        for pid, role in conn.execute(select(PersonRole.person_id, PersonRole.role)):
            if role in by_role:
                by_role[role].append(pid)
        mentors = sorted(set(by_role["mentor"]))
        mentees = sorted(by_role["mentee"])
        rows = [
            {
                "program_id": program_id,
                "mentor_id": mentors[i % len(mentors)],
                "mentee_id": mentee,
                "started_on": date(2026, 9, 1) + timedelta(days=i % 60),
            }
            for i, mentee in enumerate(mentees)
            if i % 3
        ]
        conn.execute(insert(Assignment), rows)
        conn.execute(select(Person.id).limit(1))
    engine.dispose()
    return len(rows)


def measure_status(url: str) -> dict[str, Any]:
    """`/induction status` as the coordinator: seconds per reply and the reply's size."""
    standin = FakeSlackApi().start()  # answers auth.test, which Bolt asks once
    settings = settings_for(url, standin.url)
    services = build_services(settings, clock=FixedClock(NOW))
    app = create_app(settings, services, process_before_response=True)
    verifier = SignatureVerifier(SIGNING_SECRET)
    times: list[float] = []
    size = 0
    blocks = 0
    try:
        for run in range(STATUS_RUNS + 1):
            body = urlencode(
                {
                    "token": "x",
                    "team_id": "T0SCALE",
                    "user_id": COORDINATOR,
                    "command": "/induction",
                    "text": "status",
                    "response_url": "http://127.0.0.1:9/response",
                    "trigger_id": f"t.{run}",
                    "channel_id": "C0SCALE",
                }
            )
            stamp = str(int(time.time()))
            headers = {
                "content-type": ["application/x-www-form-urlencoded"],
                "x-slack-request-timestamp": [stamp],
                "x-slack-signature": [verifier.generate_signature(timestamp=stamp, body=body)],
            }
            start = time.perf_counter()
            response = app.dispatch(BoltRequest(body=body, headers=headers))  # type: ignore[arg-type]
            elapsed = time.perf_counter() - start
            assert response.status == 200 and response.body, (response.status, response.body[:200])
            if run:  # the first run warms the program cache and the connections
                times.append(elapsed)
            size = len(response.body.encode("utf-8"))
            blocks = len(json.loads(response.body).get("blocks", []))
    finally:
        services.close()
        standin.stop()
    return {
        "median_s": statistics.median(times),
        "max_s": max(times),
        "reply_bytes": size,
        "blocks": blocks,
    }


def main(argv: list[str] | None = None) -> int:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database is created on it)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mm-edges-scale-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "roster.csv"
        csv_path.write_text(roster_csv(args.people), encoding="utf-8")
        url = fresh_database(workdir, args.pg)
        engine = "postgresql" if args.pg else "sqlite"
        first = import_in_child(url, csv_path)
        print(
            f"{engine}: roster import of {args.people:,} new rows: {first['seconds']:.1f} s, "
            f"peak {first['peak_mb']:.0f} MB ({first['created']:,} created, ok={first['ok']})"
        )
        again = import_in_child(url, csv_path)
        print(
            f"{engine}: the same roster again (all unchanged): {again['seconds']:.1f} s, "
            f"peak {again['peak_mb']:.0f} MB ({again['unchanged']:,} unchanged)"
        )
        moved_path = workdir / "moved.csv"
        moved_path.write_text(roster_csv(args.people, moved=True), encoding="utf-8")
        third = import_in_child(url, moved_path)
        print(
            f"{engine}: everyone moved school: {third['seconds']:.1f} s, "
            f"peak {third['peak_mb']:.0f} MB ({third['updated']:,} updated)"
        )
        pairs = assign_pairs(url)
        status = measure_status(url)
        print(
            f"{engine}: /induction status with {args.people:,} people and {pairs:,} pairs: "
            f"median {status['median_s'] * 1000:.0f} ms (max {status['max_s'] * 1000:.0f} ms), "
            f"reply {status['reply_bytes'] / 1024:.1f} KB in {status['blocks']} blocks"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
