from __future__ import annotations

from django_tasks import task

from sscard.cards.services import card_expire_temporary_losses


@task()
def expire_temporary_losses_task() -> int:
    """Lift temporary loss reports past their expiry. Safe to run twice or concurrently: each
    card is re-read under its row lock and skipped when already lifted."""
    return card_expire_temporary_losses()
