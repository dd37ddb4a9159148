from __future__ import annotations

from datetime import date

from django.conf import settings

from sscard.core.memo import per_request
from sscard.core.workdays import WorkCalendar
from sscard.regions.models import HolidayOverride, RegionSettings


@per_request
def region_settings() -> RegionSettings:
    """The deployment's settings row, created with the defaults the first time it is asked
    (read once per request)."""
    row, _ = RegionSettings.objects.get_or_create(region_code=settings.SSCARD_REGION_CODE)
    return row


def work_calendar(*, start: date | None = None, end: date | None = None) -> WorkCalendar:
    """The official calendar plus the administrator's holiday table (only the rows for the
    span asked about, when one is given; read once per request)."""
    return WorkCalendar(
        overrides=_overrides(
            None if start is None else start.year, None if end is None else end.year + 1
        )
    )


@per_request
def _overrides(first_year: int | None, last_year: int | None) -> dict[date, bool]:
    rows = HolidayOverride.objects.all()
    if first_year is not None:
        rows = rows.filter(date__year__gte=first_year)
    if last_year is not None:
        rows = rows.filter(date__year__lte=last_year)
    return dict(rows.values_list("date", "is_workday"))
