from __future__ import annotations

from datetime import date

from django.conf import settings

from sscard.core.workdays import WorkCalendar
from sscard.regions.models import HolidayOverride, RegionSettings


def region_settings() -> RegionSettings:
    """The deployment's settings row, created with the defaults the first time it is asked."""
    row, _ = RegionSettings.objects.get_or_create(region_code=settings.SSCARD_REGION_CODE)
    return row


def work_calendar(*, start: date | None = None, end: date | None = None) -> WorkCalendar:
    """The official calendar plus the administrator's holiday table (only the rows for the
    span asked about, when one is given)."""
    rows = HolidayOverride.objects.all()
    if start is not None:
        rows = rows.filter(date__year__gte=start.year)
    if end is not None:
        rows = rows.filter(date__year__lte=end.year + 1)
    return WorkCalendar(overrides=dict(rows.values_list("date", "is_workday")))
