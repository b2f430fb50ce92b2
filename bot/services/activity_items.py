"""Items (a), (f) and (h) of the annual report from the activity, retention and partnership
services, as the report's item source (`ReportService.sources`, wired by the container)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.activities import activities_item
from bot.domain.model import ReportItem
from bot.domain.partnerships import partnerships_item
from bot.domain.retention import retention_item
from bot.services.activities import ActivityService
from bot.services.partnerships import PartnershipService
from bot.services.report import ItemSource
from bot.services.retention import BEGINNING_TEACHERS, RetentionService


def activity_items(
    activities: ActivityService, retention: RetentionService, partnerships: PartnershipService
) -> ItemSource:
    """The report's (a), (f), (h) for a program year: activities and partnerships are the
    program's, in both reports; (f) is beginning teachers' hiring and retention, by school in
    the administrators' report (603 CMR 7.13)."""

    def items(
        year: str, now: datetime, /, *, brief: bool = False
    ) -> dict[tuple[str, str], ReportItem]:
        a = activities_item(activities.summary(year, now, mentoring=not brief))
        teachers = retention.summary(year, now, BEGINNING_TEACHERS)
        h = partnerships_item(partnerships.summary(now))
        return {
            ("teachers", "a"): a,
            ("administrators", "a"): a,
            ("teachers", "f"): retention_item(teachers),
            ("administrators", "f"): retention_item(teachers, by_school=True),
            ("teachers", "h"): h,
            ("administrators", "h"): h,
        }

    return items
