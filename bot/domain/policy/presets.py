"""The presets a program starts from: "ma" (603 CMR 7.12), "ca" (CA induction), and "tx", "il",
"ny", "ok" — each value with its source in a comment; any of them can be changed in [overrides]."""

from datetime import time

from bot.domain.members import EDUCATOR_TYPES
from bot.domain.policy.rules import DeadlineRule, MentorRule, Policy, days_between_month_days

_ALL_EDUCATORS = EDUCATOR_TYPES
_BEGINNING = ("beginning_teacher", "beginning_administrator")

MA_STANDARD_NAMES: dict[str, str] = {
    "I": "Curriculum, Planning & Assessment",
    "II": "Teaching All Students",
    "III": "Family & Community Engagement",
    "IV": "Professional Culture",
}
CA_STANDARD_NAMES: dict[str, str] = {
    "CSTP1": "Engaging and Supporting All Students in Learning",
    "CSTP2": "Creating and Maintaining Effective Environments for Student Learning",
    "CSTP3": "Understanding and Organizing Subject Matter for Student Learning",
    "CSTP4": "Planning Instruction and Designing Learning Experiences for All Students",
    "CSTP5": "Assessing Students for Learning",
    "CSTP6": "Developing as a Professional Educator",
}


def _orientation(late_hire_school_days: int) -> DeadlineRule:
    return DeadlineRule(
        key="orientation",
        title="Orientation",
        applies_to=_ALL_EDUCATORS,
        anchor="school_year_start",
        offset_days=0,
        nudge=("mentee", "coordinator"),
        nudge_days_before=7,
        escalate_to=("coordinator",),
        late_hire_school_days=late_hire_school_days,
    )


def _mentor_assigned(window_days: int, repeat: int) -> DeadlineRule:
    return DeadlineRule(
        key="mentor_assigned",
        title="Mentor assigned",
        applies_to=_BEGINNING,
        anchor="hire_or_start",
        offset_days=window_days,
        nudge=("coordinator",),
        nudge_days_before=3,
        escalate_to=("coordinator",),
        repeat_every_school_days=repeat,
    )


def _mentor_training() -> DeadlineRule:
    return DeadlineRule(
        key="mentor_training",
        title="Mentor training",
        applies_to=("mentor",),
        anchor="before_start",
        nudge=("mentor", "coordinator"),
        nudge_days_before=14,
        escalate_to=("coordinator",),
    )


MA_PRESET = Policy(
    preset="ma",
    mentor_rule=MentorRule(
        text="trained, with 3+ full years under an Initial or Professional licence (603 CMR 7.12)",
        years=3,
        licences=("initial", "professional"),
    ),
    assignment_window_days=14,  # 603 CMR 7.12(2)(b): within the first two weeks (or of hire)
    weekly_target_minutes=60,  # program default; the regulation sets no weekly minimum
    no_contact_school_days=5,
    year2_target_hours=50,  # 603 CMR 7.04(2)(c): 50 hours beyond the induction year
    report_due="07-31",  # 603 CMR 7.12(3): annual report, link sent in June
    report_nudge_from="06-15",
    orientation_late_hire_school_days=5,
    digest_weekday=0,
    digest_time=time(7, 30),
    quiet_hours=(time(18, 0), time(7, 0)),
    overdue_alert_repeat_school_days=3,
    standards=tuple(MA_STANDARD_NAMES),
    standard_names=MA_STANDARD_NAMES,
    deadlines=(
        _orientation(late_hire_school_days=5),
        _mentor_assigned(window_days=14, repeat=3),
        DeadlineRule(
            key="support_team_meeting",
            title="Support team formed and first meeting",
            applies_to=_BEGINNING,
            anchor="before_start",
            nudge=("coordinator", "evaluator", "mentor"),
            nudge_days_before=7,
            escalate_to=("coordinator",),
            late_hire_school_days=10,  # program default for late hires (two school weeks)
        ),
        _mentor_training(),
        DeadlineRule(
            key="year2_hours",
            title="50 hours of mentoring beyond the induction year",
            applies_to=("beginning_teacher", "incoming_teacher"),
            anchor="fixed_date",
            fixed_month_day="06-30",  # progress target: by the end of the school (fiscal) year
            nudge=("mentee", "mentor"),
            nudge_days_before=60,
            escalate_to=("coordinator",),
        ),
        DeadlineRule(
            key="annual_report",
            title="Annual induction and mentoring report",
            applies_to=("program",),
            anchor="fixed_date",
            fixed_month_day="07-31",
            nudge=("coordinator",),
            nudge_days_before=days_between_month_days("06-15", "07-31"),
            escalate_to=("coordinator",),
        ),
    ),
)

CA_PRESET = Policy(
    preset="ca",
    mentor_rule=MentorRule(
        text="trained, and chosen by the induction program's own criteria (CTC Teacher Induction "
        "Program Standards)"
    ),
    assignment_window_days=30,  # CA induction: mentor within 30 days of enrollment
    weekly_target_minutes=60,  # "one hour per week of individualized mentoring"
    paced_minutes=60,  # the same hour, paced by the week
    paced_period="week",
    no_contact_school_days=5,
    year2_target_hours=50,
    report_due="07-31",
    report_nudge_from="06-15",
    orientation_late_hire_school_days=5,
    digest_weekday=0,
    digest_time=time(7, 30),
    quiet_hours=(time(18, 0), time(7, 0)),
    overdue_alert_repeat_school_days=3,
    standards=tuple(CA_STANDARD_NAMES),
    standard_names=CA_STANDARD_NAMES,
    deadlines=(
        _orientation(late_hire_school_days=5),
        _mentor_assigned(window_days=30, repeat=3),
        DeadlineRule(
            key="ilp_goals",
            title="Individual Learning Plan goals",
            applies_to=("beginning_teacher",),
            anchor="hire_or_start",
            offset_days=60,
            nudge=("mentor", "mentee"),
            nudge_days_before=7,
            escalate_to=("coordinator",),
        ),
        _mentor_training(),
    ),
)

# ---- presets beyond MA and CA: each value with its source ----------------------------------

TX_STANDARD_NAMES: dict[str, str] = {  # T-TESS domains (19 TAC §150.1002)
    "D1": "Planning",
    "D2": "Instruction",
    "D3": "Learning Environment",
    "D4": "Professional Practices and Responsibilities",
}
IL_STANDARD_NAMES: dict[str, str] = {  # Illinois Professional Teaching Standards (23 IAC 24.130)
    "IPTS1": "Teaching Diverse Students",
    "IPTS2": "Content Area and Pedagogical Knowledge",
    "IPTS3": "Planning for Differentiated Instruction",
    "IPTS4": "Learning Environment",
    "IPTS5": "Instructional Delivery",
    "IPTS6": "Reading, Writing, and Oral Communication",
    "IPTS7": "Assessment",
    "IPTS8": "Collaborative Relationships",
    "IPTS9": "Professionalism, Leadership, and Advocacy",
}
NY_STANDARD_NAMES: dict[str, str] = {  # New York State Teaching Standards (2011)
    "I": "Knowledge of Students and Student Learning",
    "II": "Knowledge of Content and Instructional Planning",
    "III": "Instructional Practice",
    "IV": "Learning Environment",
    "V": "Assessment for Student Learning",
    "VI": "Professional Responsibilities and Collaboration",
    "VII": "Professional Growth",
}

_COMMON = {
    "no_contact_school_days": 5,
    "year2_target_hours": 0,  # the 50 hours beyond the induction year are Massachusetts's
    "report_due": "07-31",
    "report_nudge_from": "06-15",
    "orientation_late_hire_school_days": 5,
    "digest_weekday": 0,
    "digest_time": time(7, 30),
    "quiet_hours": (time(18, 0), time(7, 0)),
    "overdue_alert_repeat_school_days": 3,
}

TX_PRESET = Policy(
    preset="tx",
    mentor_rule=MentorRule(
        text="trained, with at least 3 complete years of teaching experience (TEC §21.458; "
        "19 TAC §153.1011)",
        years=3,
    ),
    # 19 TAC §153.1011 (Mentor Program Allotment): the mentor is assigned no later than the
    # 30th day of the beginning teacher's employment, meets at least 12 hours each semester,
    # and serves no more than 2 beginning teachers (4 when teaching under 6 hours a day: raise
    # caseload_cap in [overrides]); the beginning teacher is mentored two years.
    assignment_window_days=30,
    weekly_target_minutes=0,
    paced_minutes=12 * 60,
    paced_period="semester",
    caseload_cap=2,
    mentoring_years=2,
    standards=tuple(TX_STANDARD_NAMES),
    standard_names=TX_STANDARD_NAMES,
    deadlines=(
        _orientation(late_hire_school_days=5),
        _mentor_assigned(window_days=30, repeat=3),
        _mentor_training(),
    ),
    **_COMMON,  # type: ignore[arg-type]
)

IL_PRESET = Policy(
    preset="il",
    mentor_rule=MentorRule(
        text="an experienced teacher, trained, chosen by the district plan's criteria and never "
        "evaluating the new teacher (105 ILCS 5/21A-20; 23 IAC 65.130)"
    ),
    # 105 ILCS 5/21A-20 and 23 IAC 65.130 (new teacher induction and mentoring): a two-year
    # program; at least 1.5 hours of mentoring a week (program guidance) and at least three
    # formal observations of the new teacher over the two years.
    assignment_window_days=30,
    weekly_target_minutes=90,
    paced_minutes=90,
    paced_period="week",
    observation_minimum=3,
    observation_years=2,
    mentoring_years=2,
    standards=tuple(IL_STANDARD_NAMES),
    standard_names=IL_STANDARD_NAMES,
    deadlines=(
        _orientation(late_hire_school_days=5),
        _mentor_assigned(window_days=30, repeat=3),
        _mentor_training(),
    ),
    **_COMMON,  # type: ignore[arg-type]
)

NY_PRESET = Policy(
    preset="ny",
    mentor_rule=MentorRule(
        text="trained, and chosen by the district mentoring plan's criteria (8 NYCRR §100.2(dd))"
    ),
    # 8 NYCRR §100.2(dd) (district mentoring plans) and §80-3.4: a first year of mentored
    # experience, at least 40 hours over the ten months of school.
    assignment_window_days=30,
    weekly_target_minutes=0,
    paced_minutes=40 * 60,
    paced_period="school_year",
    standards=tuple(NY_STANDARD_NAMES),
    standard_names=NY_STANDARD_NAMES,
    deadlines=(
        _orientation(late_hire_school_days=5),
        _mentor_assigned(window_days=30, repeat=3),
        _mentor_training(),
    ),
    **_COMMON,  # type: ignore[arg-type]
)

OK_PRESET = Policy(
    preset="ok",
    mentor_rule=MentorRule(
        text="trained, as the district's resident teacher program sets (70 O.S. §6-195)"
    ),
    # 70 O.S. §6-195 (Oklahoma resident teacher program): a mentor teacher chosen within 10
    # teaching days and at least 72 hours of consultation a year. Oklahoma names no standards
    # list here: a program lists its own (standards under [overrides]).
    assignment_window_days=14,  # the calendar-day fallback; the window is in school days
    assignment_window_school_days=10,
    weekly_target_minutes=0,
    paced_minutes=72 * 60,
    paced_period="year",
    standards=(),
    standard_names={},
    deadlines=(
        _orientation(late_hire_school_days=5),
        _mentor_assigned(window_days=14, repeat=3).model_copy(update={"offset_school_days": 10}),
        _mentor_training(),
    ),
    **_COMMON,  # type: ignore[arg-type]
)

PRESETS: dict[str, Policy] = {
    "ma": MA_PRESET,
    "ca": CA_PRESET,
    "tx": TX_PRESET,
    "il": IL_PRESET,
    "ny": NY_PRESET,
    "ok": OK_PRESET,
}
