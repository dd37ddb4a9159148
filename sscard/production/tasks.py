from __future__ import annotations

from sscard.core.tasks import task
from sscard.production import reminders


@task()
def remind_uncollected_cards_task() -> int:
    """Tell holders whose card has waited at its outlet for a month less than the region's
    逾期封存. Safe to run twice or concurrently: each occasion is told once."""
    return reminders.remind_uncollected_cards()
