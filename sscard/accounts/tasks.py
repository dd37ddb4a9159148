from __future__ import annotations

from importlib import import_module

from django.conf import settings

from sscard.accounts.hygiene import staff_deactivate_stale
from sscard.core.tasks import task


@task()
def deactivate_stale_staff_task() -> int:
    """Deactivate staff accounts unused for the configured days. Safe to run twice."""
    return staff_deactivate_stale()


@task()
def clear_expired_sessions_task() -> None:
    """Delete the sessions past their expiry from the session table (an index range on
    ``expire_date``): without it every login ever made stays a row, and the table only grows.
    A session in the shared cache lapses there by itself."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
