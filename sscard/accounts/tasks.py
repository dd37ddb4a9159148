from __future__ import annotations

from sscard.accounts.hygiene import staff_deactivate_stale
from sscard.core.tasks import task


@task()
def deactivate_stale_staff_task() -> int:
    """Deactivate staff accounts unused for the configured days. Safe to run twice."""
    return staff_deactivate_stale()
