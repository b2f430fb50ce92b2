"""The two presets a program starts from: "ma" (603 CMR 7.12) and "ca" (CA induction)."""

from datetime import time

from bot.policy.rules import DeadlineRule, Policy, days_between_month_days
from bot.roles import EDUCATOR_TYPES

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
    assignment_window_days=30,  # CA induction: mentor within 30 days of enrollment
    weekly_target_minutes=60,  # "one hour per week of individualized mentoring"
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

PRESETS: dict[str, Policy] = {"ma": MA_PRESET, "ca": CA_PRESET}
