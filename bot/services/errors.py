"""Errors a service raises for a person to read: what was refused and why."""

from __future__ import annotations


class Refusal(Exception):
    """A request the rules refuse; `message` is shown to the person as is."""

    def __init__(self, message: str, *, example: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.example = example


class ParseRefused(Refusal):
    """Text (or a form's fields) the grammar could not accept; `error` says which part."""

    def __init__(self, error: object, message: str, example: str | None = None) -> None:
        super().__init__(message, example=example)
        self.error = error


class NotOnRoster(Refusal):
    """The Slack user is not a person of the program."""


class UnknownMention(Refusal):
    """An @mention of a Slack user who is not a person of the program. The message names no
    one (it may be shown where a mention can't render); the Slack reply mentions them."""

    def __init__(self, user_id: str, program: str, *, example: str | None = None) -> None:
        super().__init__(
            f"The person you mentioned isn't on the {program} roster, so I can't log with them.",
            example=example,
        )
        self.user_id = user_id
        self.program = program


class NotAllowed(Refusal):
    """The person's roles do not allow this."""


class NoProgram(Refusal):
    """No program has been loaded yet."""

    def __init__(self) -> None:
        super().__init__(
            "No program is set up yet. Run `mentor-minutes program load program.toml` first."
        )


class AlreadyAnswered(Refusal):
    """The same question's choice, or the same form, delivered again: nothing more is stored."""
