"""`mentor-minutes jobs list|run|review`: the scheduled jobs by hand, and DMs parked for review."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TextIO

from slack_sdk import WebClient

from bot.bootstrap import Services
from bot.cli.base import CommandError, open_services, own_tenant, slack_client
from bot.cli.base import out as stdout
from bot.clock import FixedClock
from bot.config import Settings
from bot.devtools.slack_standin import FakeSlackApi
from bot.services.errors import Refusal
from bot.services.outbox import ReviewError
from bot.slack.render import render_message
from schedules.jobs import JOBS, JobError, review_resolve, review_text, run_job


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`jobs list` / `jobs run NAME [--at ISO8601]` (delivers before returning) /
    `jobs review [resend|drop ID]`."""
    out = stdout()
    if args.action == "list":
        for name, about in JOBS.items():
            print(f"{name:<16} {about}", file=out)
        return 0
    if args.action == "review":
        return _review(args, settings, out)
    at = None
    if args.at:
        try:
            at = datetime.fromisoformat(args.at)
        except ValueError:
            raise CommandError(
                f"--at {args.at!r}: expected ISO 8601 such as 2026-11-18T07:30:00-05:00", 2
            ) from None
        if at.tzinfo is None:
            raise CommandError(f"--at {args.at!r}: add an offset, e.g. -05:00", 2)
    services = open_services(settings, args)
    try:
        tenant = own_tenant(services)
        if tenant is not None and not tenant.active:
            raise CommandError(
                f"team {tenant.label} uninstalled the app: its program runs no job "
                "(`mentor-minutes export all --team` still hands its data back)"
            )
        if at is not None:
            services.clock = FixedClock(at)
        return _run_job(services, args.name, settings, out)
    except JobError as exc:
        raise CommandError(str(exc), 2) from None
    except Refusal as exc:
        raise CommandError(exc.message) from None
    finally:
        services.close()


def _run_job(services: Services, name: str, settings: Settings, out: TextIO) -> int:
    """Run a job and deliver with the program's workspace's client (SLACK_BOT_TOKEN's, or its
    installation's); with no Slack at all, deliver to the stand-in and print what was sent."""
    client = slack_client(settings, services)
    if client is not None:
        print(run_job(services, name, services.clock.now(), client), file=out)
        return 0
    if settings.has_oauth:
        raise CommandError(
            "this program's workspace has no installation (or its token could not be "
            "refreshed): install the app in it first (GET /slack/install); nothing was sent"
        )
    return _run_job_offline(services, name, out)


def _review(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """`jobs review`: list the messages held for review; `resend ID` / `drop ID` resolve one."""
    if args.resolution is not None and args.id is None:
        raise CommandError(
            f"jobs review {args.resolution}: which message? e.g. jobs review {args.resolution} 12",
            2,
        )
    services = open_services(settings, args)
    try:
        now = services.clock.now()
        if args.resolution is None:
            print(review_text(services, now), file=out)
        else:
            print(review_resolve(services, args.resolution, args.id, now), file=out)
        return 0
    except ReviewError as exc:
        raise CommandError(str(exc)) from None
    finally:
        services.close()


def _run_job_offline(services: Services, name: str, out: TextIO) -> int:
    """No Slack token: deliver to the in-process stand-in and print what Slack would show."""
    program = services.programs.current()
    with services.store.read() as session:
        names = {
            m.slack_user_id: m.name
            for m in services.people.all_members(session, program)
            if m.slack_user_id
        }
    with FakeSlackApi() as standin:
        client = WebClient(token="xoxb-offline", base_url=standin.url)
        print(run_job(services, name, services.clock.now(), client), file=out)
        for call in standin.calls_to("chat.postMessage"):
            channel = str(call.params.get("channel", ""))
            print(
                f"┌─ DM to {names.get(channel, channel)} (no SLACK_BOT_TOKEN: not sent to Slack)",
                file=out,
            )
            for line in render_message(call.params, names, []):
                print(f"│ {line}", file=out)
            print("└─", file=out)
    return 0
