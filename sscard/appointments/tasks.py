from __future__ import annotations

from sscard.appointments import reminders
from sscard.core.tasks import task


@task()
def remind_appointments_task() -> int:
    """Remind holders of tomorrow's bookings at outlets. Safe to run twice or concurrently:
    each booking is told once for the half hour it holds."""
    return reminders.remind_appointments()
