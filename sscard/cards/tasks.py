from __future__ import annotations

from sscard.cards import reminders
from sscard.cards.services import card_expire_temporary_losses
from sscard.core.tasks import task


@task()
def expire_temporary_losses_task() -> int:
    """Lift temporary loss reports past their expiry. Safe to run twice or concurrently: each
    card is re-read under its row lock and skipped when already lifted."""
    return card_expire_temporary_losses()


@task()
def remind_temporary_losses_lapsing_task() -> int:
    """Tell holders whose 临时挂失 lapses tomorrow. Safe to run twice or concurrently: each
    occasion is told once."""
    return reminders.remind_temporary_losses_lapsing()
