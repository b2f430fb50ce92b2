"""The annual induction report (due July 31): everything the store can count, and clearly
marked blanks for what it cannot. Hours and counts only — never notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, select

from bot.services.errors import Refusal
from bot.services.people import PeopleService
from bot.services.programs import ProgramService
from bot.store.db import Store
from bot.store.models import Assignment, LogEntry, MilestoneDone

BLANK = "(not tracked by Mentor Minutes — fill in by hand)"
OBSERVATION = "observation"


@dataclass(frozen=True)
class EducatorLine:
    """A beginning educator served, with their mentor and hours this year."""

    name: str
    email: str
    school: str
    educator_type: str
    mentor: str
    minutes: int
    observations: int


@dataclass(frozen=True)
class MentorLine:
    """A mentor, whether trained, and their mentoring this year."""

    name: str
    email: str
    school: str
    trained: bool
    mentees: int
    minutes: int


@dataclass
class AnnualReport:
    """The report's sections (a)–(h)."""

    program: str
    school_year: str
    period: tuple[date, date]
    generated_on: date
    beginning: list[EducatorLine] = field(default_factory=list)
    mentors: list[MentorLine] = field(default_factory=list)
    observations: int = 0
    minutes_together: int = 0
    milestones: dict[str, int] = field(default_factory=dict)
    blanks: dict[str, str] = field(default_factory=dict)

    @property
    def trained_mentors(self) -> list[MentorLine]:
        """Mentors with training marked done."""
        return [m for m in self.mentors if m.trained]


class ReportService:
    """Builds the annual report from the store."""

    def __init__(self, store: Store, programs: ProgramService, people: PeopleService) -> None:
        self.store = store
        self.programs = programs
        self.people = people

    def annual(self, year: str | None, now: datetime) -> AnnualReport:
        """The report for a school year (default: the current one)."""
        program = self.programs.current()
        year = year or program.school_year
        if year != program.school_year:
            raise Refusal(
                f"This program holds school year {program.school_year}; "
                f"no roster for {year!r} is loaded."
            )
        start, end = program.config.school_year_start, program.config.school_year_end
        report = AnnualReport(program.name, year, (start, end), program.today(now))
        with self.store.read() as session:
            members = {m.id: m for m in self.people.all_members(session, program)}
            in_year = and_(
                LogEntry.program_id == program.id,
                LogEntry.deleted_at.is_(None),
                LogEntry.occurred_on >= start,
                LogEntry.occurred_on <= end,
            )
            per_pair = {
                (mentor, mentee): (int(minutes or 0), int(obs or 0))
                for mentor, mentee, minutes, obs in session.execute(
                    select(
                        LogEntry.mentor_id,
                        LogEntry.mentee_id,
                        func.sum(LogEntry.minutes),
                        func.sum(func.cast(LogEntry.kind == OBSERVATION, LogEntry.minutes.type)),
                    )
                    .where(in_year)
                    .group_by(LogEntry.mentor_id, LogEntry.mentee_id)
                )
            }
            pairs = session.execute(
                select(Assignment.mentor_id, Assignment.mentee_id).where(
                    Assignment.program_id == program.id,
                    Assignment.started_on <= end,
                    (Assignment.ended_on.is_(None)) | (Assignment.ended_on >= start),
                )
            ).all()
            done: dict[str, int] = {
                milestone: int(count)
                for milestone, count in session.execute(
                    select(MilestoneDone.milestone, func.count())
                    .where(MilestoneDone.school_year == year)
                    .group_by(MilestoneDone.milestone)
                )
            }
            trained = set(
                session.scalars(
                    select(MilestoneDone.person_id).where(
                        MilestoneDone.school_year == year,
                        MilestoneDone.milestone == "mentor_training",
                    )
                )
            )
        mentors_of: dict[int, list[int]] = {}
        for mentor, mentee in pairs:
            mentors_of.setdefault(mentee, []).append(mentor)
        for member in sorted(members.values(), key=lambda m: m.name):
            if "mentee" in member.roles and member.is_beginning:
                mentor_ids = mentors_of.get(member.id, [])
                minutes = sum(per_pair.get((m, member.id), (0, 0))[0] for m in mentor_ids)
                obs = sum(per_pair.get((m, member.id), (0, 0))[1] for m in mentor_ids)
                report.beginning.append(
                    EducatorLine(
                        member.name,
                        member.email,
                        member.school or "",
                        member.educator_type or "",
                        ", ".join(members[m].name for m in mentor_ids if m in members) or "none",
                        minutes,
                        obs,
                    )
                )
                report.minutes_together += minutes
            if "mentor" in member.roles:
                mentee_ids = [e for e, ms in mentors_of.items() if member.id in ms]
                report.mentors.append(
                    MentorLine(
                        member.name,
                        member.email,
                        member.school or "",
                        member.id in trained,
                        len(mentee_ids),
                        sum(per_pair.get((member.id, e), (0, 0))[0] for e in mentee_ids),
                    )
                )
        report.observations = sum(obs for _, obs in per_pair.values())
        report.milestones = done
        report.blanks = {
            "a_program_activities": BLANK,
            "f_hiring_and_retention": BLANK,
            "g_participant_satisfaction": BLANK + " (no surveys run yet)",
            "h_partnerships": BLANK,
        }
        return report
