"""What administrators must be told about the calendar."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from sscard.regions.selectors import work_calendar

# Deadlines set today reach this far: 25 working days plus correction pauses.
HORIZON = timedelta(days=120)


def calendar_warning() -> str:
    """A warning when deadlines being set now run into a year whose official holidays are
    neither in the calendar package nor in the holiday table (counted Mon–Fri meanwhile)."""
    today = timezone.localdate()
    years = work_calendar(start=today).unknown_years(today, today + HORIZON)
    if not years:
        return ""
    listed = "、".join(f"{year}年" for year in years)
    return (
        f"{listed}的法定节假日和调休安排尚未收录，办理时限暂按周一至周五计算工作日。"
        "请在“节假日调整”中录入国务院办公厅公布的安排。"
    )
