"""How a person is reached (pure, decided once): on Slack, by email, both, or not at all, and why.

A notification goes by email when its recipient has no Slack id, or when the roster's `notify`
column says `email` or `both` — as long as the deployment can send email (`SMTP_URL`). When Slack
answers that the person is not there (`FALLBACK_ERRORS`), the DM falls back to email."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.members import Member

SLACK, EMAIL, BOTH = "slack", "email", "both"
NOTIFY_CHOICES: tuple[str, ...] = (SLACK, EMAIL, BOTH)
# Slack's answers that mean the person can't get the DM: their email gets it instead.
FALLBACK_ERRORS = frozenset({"users_not_found", "user_not_found", "account_inactive"})


@dataclass(frozen=True)
class Reach:
    """The channels a person's notifications take, and the reason in words."""

    slack: bool
    email: bool
    why: str

    @property
    def reachable(self) -> bool:
        """True when at least one channel reaches them."""
        return self.slack or self.email


def reach(member: Member, email_on: bool) -> Reach:
    """The channels `member`'s notifications take; `email_on`: the deployment sends email."""
    return reach_of(member.slack_user_id, member.email, member.notify, email_on)


def reach_of(slack_user_id: str | None, email: str | None, notify: str, email_on: bool) -> Reach:
    """The channels for a Slack id, an email address and the roster's notify column."""
    has_slack = bool(slack_user_id)
    has_email = bool(email) and "@" in (email or "")
    notify = notify if notify in NOTIFY_CHOICES else SLACK
    can_email = email_on and has_email
    if has_slack and (notify == SLACK or not can_email):
        return Reach(True, False, "on Slack")
    if has_slack and notify == BOTH:
        return Reach(True, True, "on Slack and by email (the roster says notify=both)")
    if has_slack:
        return Reach(False, True, "by email (the roster says notify=email)")
    if can_email:
        return Reach(False, True, "by email (no Slack id)")
    if not has_email:
        return Reach(False, False, "not reachable: no Slack id and no email")
    return Reach(False, False, "not reachable: no Slack id, and email is not set up (SMTP_URL)")


def reach_counts(reaches: list[Reach]) -> str:
    """ "12 on Slack, 2 by email, 1 not reachable: no Slack id and no email" (both count as
    on Slack and by email)."""
    slack = sum(1 for r in reaches if r.slack)
    email = sum(1 for r in reaches if r.email)
    why: dict[str, int] = {}
    for r in reaches:
        if not r.reachable:
            reason = r.why.removeprefix("not reachable: ")
            why[reason] = why.get(reason, 0) + 1
    parts = [f"{slack} on Slack", f"{email} by email"]
    parts += [f"{count} not reachable: {reason}" for reason, count in why.items()]
    return ", ".join(parts)
