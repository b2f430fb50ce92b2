"""Surveys and exit tickets: each sending opened on its school day with its audience, the
invitations and the one reminder as nudges for the outbox, and answers taken once per person.

Who answered is kept only as a flag on the recipient row (to refuse a second answer and to
remind only those who have not); what they answered is stored with no link to them."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain.calendar import SchoolCalendar
from bot.domain.members import Member
from bot.domain.notices import Nudge, SurveyInvite
from bot.domain.policy.surveys import (
    EXIT_TICKET_CLOSE_SCHOOL_DAYS,
    EXIT_TICKET_QUESTION,
    MAX_COMMENT_CHARS,
    SCALE,
    SurveyDefinition,
    survey_dates,
)
from bot.domain.surveys import SurveyForm
from bot.services.errors import Refusal
from bot.services.programs import ProgramInfo
from bot.services.snapshot import send_window_open
from bot.services.survey_results import SurveyResults, survey_kind
from bot.store.models.core import Person
from bot.store.models.surveys import Survey, SurveyAnswer, SurveyRecipient, SurveyResponse

log = logging.getLogger(__name__)

INVITE, REMINDER, EXIT_TICKET = "survey", "survey-reminder", "exit-ticket"
AUDIENCE_ROLES = {"mentees": ("mentee",), "mentors": ("mentor",), "both": ("mentee", "mentor")}
MAX_ATTENDEES = 500


class AnswerRefused(Refusal):
    """An answer refused for one question (`question`, 1-based): off the scale or missing."""

    def __init__(self, message: str, question: int) -> None:
        super().__init__(message)
        self.question = question


def exit_ticket_name(event_id: int) -> str:
    """The survey name an exit ticket goes by: `survey results exit-ticket-12`."""
    return f"exit-ticket-{event_id}"


class SurveyService(SurveyResults):
    """Send surveys and exit tickets, take answers; results come from SurveyResults."""

    # ---- sending --------------------------------------------------------------------------

    def due(self, now: datetime) -> list[Nudge] | None:
        """Open the program file's surveys whose day has come, then an invitation (or, from
        the reminder day, the one reminder) to each recipient who has not answered an open
        survey; None outside the send window (weekend, holiday, quiet hours)."""
        program = self.programs.current(now)
        if not send_window_open(program, now):
            return None
        today = program.today(now)
        with self.store.write() as session:
            for definition in program.config.surveys:
                for send_on in definition.send_on:
                    self._open_sending(session, program, definition, send_on, today)
            return self._invitations(session, program, today)

    def _open_sending(
        self,
        session: Session,
        program: ProgramInfo,
        definition: SurveyDefinition,
        send_on: date,
        today: date,
    ) -> None:
        calendar = program.calendar
        try:
            dates = survey_dates(
                calendar, send_on, definition.close_after_school_days, calendar.end
            )
        except ValueError:  # no school day left on or after send_on
            log.warning("survey %s: no school day on or after %s", definition.name, send_on)
            return
        if not dates.is_open(today):
            return
        exists = session.scalar(
            select(Survey.id).where(
                Survey.program_id == program.id,
                Survey.name == definition.name,
                Survey.opens_on == dates.opens,
            )
        )
        if exists is not None:
            return
        survey = Survey(
            program_id=program.id,
            name=definition.name,
            kind="survey",
            school_year=program.school_year,
            title=definition.title,
            audience=definition.audience,
            questions=list(definition.questions),
            comment=definition.comment,
            opens_on=dates.opens,
            reminder_on=dates.reminder if dates.reminder < dates.closes else None,
            closes_on=dates.closes,
        )
        session.add(survey)
        session.flush()
        audience = self._audience(session, program, definition.audience)
        session.add_all(SurveyRecipient(survey_id=survey.id, person_id=m.id) for m in audience)

    def _audience(self, session: Session, program: ProgramInfo, audience: str) -> list[Member]:
        """Active holders of the audience's roles this year who can be reached in Slack."""
        found: dict[int, Member] = {}
        for role in AUDIENCE_ROLES[audience]:
            for member in self.people.role_holders(session, program, role):
                if member.slack_user_id:
                    found.setdefault(member.id, member)
        return list(found.values())

    def _invitations(self, session: Session, program: ProgramInfo, today: date) -> list[Nudge]:
        rows = session.execute(
            select(Survey, Person.slack_user_id)
            .join(SurveyRecipient, SurveyRecipient.survey_id == Survey.id)
            .join(Person, Person.id == SurveyRecipient.person_id)
            .where(
                Survey.program_id == program.id,
                Survey.opens_on <= today,
                Survey.closes_on >= today,
                SurveyRecipient.responded.is_(False),
                Person.active.is_(True),
                Person.slack_user_id.is_not(None),
            )
            .order_by(Survey.id, Person.id)
        ).all()
        return [
            _nudge(survey, slack_id, today) for survey, slack_id in rows if slack_id is not None
        ]

    # ---- exit tickets ---------------------------------------------------------------------

    def exit_ticket_for(
        self, event_id: int, attendee_ids: Sequence[int], now: datetime
    ) -> list[Nudge]:
        """Record the one-question exit ticket of a group session for its attendees (person
        ids) and return the invitations to claim (`schedules.jobs.send_exit_tickets` claims them).
        Calling it again for the same session adds only attendees not asked yet. A Refusal
        names ids that are not people of the program; nothing is stored then."""
        program = self.programs.current(now)
        wanted = sorted(set(attendee_ids))
        if not wanted:
            raise Refusal("An exit ticket needs at least one attendee.")
        if len(wanted) > MAX_ATTENDEES:
            raise Refusal(f"An exit ticket goes to at most {MAX_ATTENDEES} attendees.")
        today = program.today(now)
        with self.store.write() as session:
            members = {m.id: m for m in self.people.members(session, program, wanted)}
            strangers = [pid for pid in wanted if pid not in members]
            if strangers:
                raise Refusal(
                    "Not people of the program: "
                    + ", ".join(str(pid) for pid in strangers[:20])
                    + ". No exit ticket was sent."
                )
            name = exit_ticket_name(event_id)
            survey = session.scalars(
                select(Survey).where(Survey.program_id == program.id, Survey.name == name)
            ).first()
            if survey is None:
                survey = Survey(
                    program_id=program.id,
                    name=name,
                    kind="exit_ticket",
                    school_year=program.school_year,
                    title="Exit ticket: the group session",
                    audience="attendees",
                    questions=[EXIT_TICKET_QUESTION],
                    comment=True,
                    opens_on=today,
                    reminder_on=None,
                    closes_on=_school_days_after(program.calendar, today),
                    event_id=event_id,
                )
                session.add(survey)
                session.flush()
            asked = set(
                session.scalars(
                    select(SurveyRecipient.person_id).where(SurveyRecipient.survey_id == survey.id)
                )
            )
            reachable = [m for m in members.values() if m.slack_user_id and m.active]
            session.add_all(
                SurveyRecipient(survey_id=survey.id, person_id=m.id)
                for m in reachable
                if m.id not in asked
            )
            session.flush()
            return [
                _nudge(survey, m.slack_user_id, today, m)
                for m in reachable
                if m.id not in asked and m.slack_user_id
            ]

    # ---- answering ------------------------------------------------------------------------

    def form(self, slack_user_id: str, survey_id: int, now: datetime) -> SurveyForm:
        """The survey to show a recipient in the answer modal; a Refusal when they were not
        asked, have answered already, or it has closed."""
        program = self.programs.current(now)
        with self.store.read() as session:
            caller = self.people.caller(session, program, slack_user_id)
            survey, responded = self._asked(session, program, survey_id, caller)
            _check_open(survey, program.today(now), responded)
            return _form(survey)

    def answer(
        self,
        slack_user_id: str,
        survey_id: int,
        values: Mapping[int, int | None],
        comment: str | None,
        now: datetime,
    ) -> SurveyForm:
        """Store one person's answer: every question on the 1–5 scale, an optional comment.
        A Refusal (nothing stored) when a value is missing or off the scale, the person was
        not asked, has answered already (the first answer stands) or the survey has closed."""
        program = self.programs.current(now)
        with self.store.write() as session:
            caller = self.people.caller(session, program, slack_user_id)
            survey, responded = self._asked(session, program, survey_id, caller)
            _check_open(survey, program.today(now), responded)
            checked = _checked_values(survey, values)
            text = (comment or "").strip() or None
            if text is not None and not survey.comment:
                text = None
            if text is not None and len(text) > MAX_COMMENT_CHARS:
                raise Refusal(
                    f"Your comment is {len(text)} characters long; keep it under "
                    f"{MAX_COMMENT_CHARS}. Nothing was saved."
                )
            claimed = session.execute(
                update(SurveyRecipient)
                .where(
                    SurveyRecipient.survey_id == survey.id,
                    SurveyRecipient.person_id == caller.id,
                    SurveyRecipient.responded.is_(False),
                )
                .values(responded=True)
            )
            if (claimed.rowcount or 0) != 1:  # type: ignore[attr-defined]
                raise Refusal(ALREADY)  # a second submission racing the first
            response_id = uuid.uuid4().hex  # random: no order to link it to the flag above
            session.add(SurveyResponse(id=response_id, survey_id=survey.id, comment=text))
            session.flush()
            session.add_all(
                SurveyAnswer(response_id=response_id, question=number, value=value)
                for number, value in enumerate(checked, start=1)
            )
            return _form(survey)

    @staticmethod
    def _asked(
        session: Session, program: ProgramInfo, survey_id: int, caller: Member
    ) -> tuple[Survey, bool]:
        row = session.execute(
            select(Survey, SurveyRecipient.responded)
            .join(SurveyRecipient, SurveyRecipient.survey_id == Survey.id)
            .where(
                Survey.id == survey_id,
                Survey.program_id == program.id,
                SurveyRecipient.person_id == caller.id,
            )
        ).first()
        if row is None:
            raise Refusal(
                "That survey was not sent to you, so there is nothing to answer. "
                "Use the Answer button on the survey you received."
            )
        return row[0], bool(row[1])


ALREADY = (
    "You have already answered this survey; your first answer stands (answers can't be changed "
    "once sent, so no one can tell them apart from anyone else's)."
)


def _nudge(survey: Survey, slack_id: str, today: date, person: Member | None = None) -> Nudge:
    reminder = survey.reminder_on is not None and today >= survey.reminder_on
    rule = EXIT_TICKET if survey.kind == "exit_ticket" else (REMINDER if reminder else INVITE)
    invite = SurveyInvite(
        survey_id=survey.id,
        title=survey.title,
        kind=survey.kind,
        questions=len(survey.questions),
        closes=survey.closes_on,
        reminder=reminder,
    )
    return Nudge(rule, slack_id, f"survey-{survey.id}", survey.opens_on.isoformat(), invite, person)


def _school_days_after(calendar: SchoolCalendar, day: date) -> date:
    try:
        return min(calendar.add_school_days(day, EXIT_TICKET_CLOSE_SCHOOL_DAYS), calendar.end)
    except ValueError:  # a session after the last school day: a week to answer
        return max(day, calendar.end)


def _check_open(survey: Survey, today: date, responded: bool) -> None:
    if responded:
        raise Refusal(ALREADY)
    if today > survey.closes_on:
        raise Refusal(
            f"“{survey.title}” closed on {survey.closes_on:%a %d %b %Y}; answers are no longer "
            "taken. Nothing was saved."
        )
    if today < survey.opens_on:
        raise Refusal(f"“{survey.title}” opens on {survey.opens_on:%a %d %b %Y}.")


def _checked_values(survey: Survey, values: Mapping[int, int | None]) -> list[int]:
    """The answers, one per question on the scale; a Refusal naming the first one at fault."""
    low, high = SCALE[0], SCALE[-1]
    extra = sorted(set(values) - set(range(1, len(survey.questions) + 1)))
    if extra:
        raise Refusal(
            f"This survey has {len(survey.questions)} questions, not {extra[-1]}. "
            "Nothing was saved."
        )
    checked: list[int] = []
    for number in range(1, len(survey.questions) + 1):
        value = values.get(number)
        if value is None:
            raise AnswerRefused(
                f"Question {number} has no answer: pick {low} to {high}. Nothing was saved.",
                number,
            )
        if value not in SCALE:
            raise AnswerRefused(
                f"Question {number}: {value} is not on the scale; pick {low} (strongly "
                f"disagree) to {high} (strongly agree). Nothing was saved.",
                number,
            )
        checked.append(value)
    return checked


def _form(survey: Survey) -> SurveyForm:
    return SurveyForm(
        survey_id=survey.id,
        title=survey.title,
        kind=survey_kind(survey.kind),
        questions=tuple(survey.questions),
        comment=survey.comment,
        closes=survey.closes_on,
    )
