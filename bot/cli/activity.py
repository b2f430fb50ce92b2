"""`mentor-minutes event add|list` and `partnership add|list|remove`: program activities and
partnerships (report items a and h) for a terminal."""

from __future__ import annotations

import argparse
import sys

from bot.cli.base import CommandError, open_services
from bot.config import Settings
from bot.domain.activities import ActivityRequest, activity_kind
from bot.domain.formatting import format_day, format_minutes, terminal_safe
from bot.domain.grammar import MAX_MINUTES, MIN_MINUTES
from bot.domain.grammar.event_text import duration_minutes
from bot.services.errors import Refusal


def run_event(args: argparse.Namespace, settings: Settings) -> int:
    """`event add KIND DATE MINUTES --by EMAIL --attendee EMAIL… [--notes]` / `event list`."""
    services = open_services(settings, args)
    out = sys.stdout
    try:
        now = services.clock.now()
        if args.action == "list":
            try:
                listing = services.activities.listing(args.year, now)
            except Refusal as exc:
                raise CommandError(exc.message) from None
            for item in listing:
                logged = ""
                if item.kind == "group":
                    logged = f", {item.logged_entries} mentoring entries"
                print(
                    f"#{item.id} {item.occurred_on} {item.kind} {format_minutes(item.minutes)} "
                    f"by {item.facilitator_email}: {item.attendees} attended{logged}",
                    file=out,
                )
            print(f"{len(listing)} activit{'y' if len(listing) == 1 else 'ies'}.", file=out)
            return 0
        kind = activity_kind(args.kind)
        if kind is None:
            raise CommandError(
                f"unknown activity kind {args.kind!r}: one of orientation, group, training, "
                "support_team; nothing was recorded"
            )
        minutes = duration_minutes(args.minutes)
        if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise CommandError(
                f"{args.minutes!r} is not a duration I can record ({MIN_MINUTES} to "
                f"{MAX_MINUTES} minutes, e.g. 90, 90m or 1h30); nothing was recorded"
            )
        if not args.attendee:
            raise CommandError("an activity needs its attendees: --attendee EMAIL (repeat it)")
        request = ActivityRequest(
            kind=kind,
            minutes=minutes,
            attendees=tuple(args.attendee),
            occurred_on=args.on,
            facilitator=args.by,
            notes=(args.notes or "").strip() or None,
        )
        try:
            recorded = services.activities.record_from_cli(request, now)
        except Refusal as exc:
            raise CommandError(exc.message) from None
        print(
            f"Recorded #{recorded.id}: {recorded.title} on {format_day(recorded.occurred_on)}, "
            f"{format_minutes(recorded.minutes)}, facilitated by {recorded.facilitator.email}; "
            f"{len(recorded.attendees)} attended.",
            file=out,
        )
        for mentor, mentees in recorded.logged:
            print(
                f"Logged as group mentoring: {mentor.email} with "
                f"{', '.join(m.email for m in mentees)}.",
                file=out,
            )
        if recorded.no_mentor:
            print(
                "Not logged as mentoring (no mentor of theirs present): "
                f"{', '.join(m.email for m in recorded.no_mentor)}.",
                file=out,
            )
        return 0
    finally:
        services.close()


def run_partnership(args: argparse.Namespace, settings: Settings) -> int:
    """`partnership add NAME --kind KIND --supports TEXT` / `list` / `remove NAME`."""
    services = open_services(settings, args)
    out = sys.stdout
    try:
        now = services.clock.now()
        try:
            if args.action == "add":
                added = services.partnerships.add(args.name, args.kind, args.supports, now)
                print(
                    terminal_safe(f"Entered {added.name} ({added.kind}): {added.supports}"),
                    file=out,
                )
            elif args.action == "remove":
                services.partnerships.remove(args.name, now)
                print(terminal_safe(f"Removed {args.name}."), file=out)
            else:
                summary = services.partnerships.summary(now)
                for line in summary.partnerships:
                    print(terminal_safe(f"{line.name} ({line.kind}): {line.supports}"), file=out)
                if not summary.partnerships:
                    print(f"No partnerships: {summary.source.reason}.", file=out)
        except Refusal as exc:
            raise CommandError(exc.message) from None
        return 0
    finally:
        services.close()
