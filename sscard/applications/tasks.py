from __future__ import annotations

from sscard.applications.periodic import (
    applications_mark_deadlines,
    orders_confirm_delivered,
    orders_seal_uncollected,
)
from sscard.applications.retention import materials_remove_expired
from sscard.core.tasks import task


@task()
def mark_deadlines_task() -> int:
    """Mark open card requests at risk or overdue. Safe to run twice or concurrently."""
    return applications_mark_deadlines()


@task()
def seal_uncollected_cards_task() -> int:
    """逾期封存 for cards left uncollected at their outlet. Safe to run twice or concurrently."""
    return orders_seal_uncollected()


@task()
def confirm_delivered_cards_task() -> int:
    """已领卡 for mailed cards delivered longer ago than the region's days and not confirmed.
    Safe to run twice or concurrently."""
    return orders_confirm_delivered()


@task()
def remove_expired_materials_task() -> int:
    """Delete the files of refused and withdrawn applications past the region's keeping
    period (audited, the rows marked). Safe to run twice or concurrently."""
    return materials_remove_expired()
