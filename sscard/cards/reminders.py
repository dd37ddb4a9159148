"""The card's periodic reminder: a 临时挂失 lapsing tomorrow. Safe to run often: each occasion
is told once (``Notification.dedupe_key``). Scheduled by ``run_periodic``
(``remind_temporary_losses_lapsing_task`` in ``SSCARD_PERIODIC_TASKS``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.cards.notices import card_placeholders
from sscard.notifications.constants import Event
from sscard.notifications.models import Notification
from sscard.notifications.services import notify


def remind_temporary_losses_lapsing(*, now: datetime | None = None) -> int:
    """临时挂失 ending by the end of tomorrow (local time) and not yet reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    end = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=1), time.min))
    cards = Card.objects.filter(
        status=CardStatus.TEMP_LOST, loss_expires_at__gt=now, loss_expires_at__lt=end
    ).select_related("person")
    told = 0
    for card in cards:
        assert card.loss_expires_at is not None  # noqa: S101 — filtered above
        key = f"loss-lapsing:{card.pk}:{int(card.loss_expires_at.timestamp())}"
        if Notification.objects.filter(dedupe_key=key).exists():
            continue
        with transaction.atomic():
            told += bool(
                notify(
                    Event.LOSS_LAPSES_TOMORROW,
                    person=card.person,
                    values=card_placeholders(card),
                    dedupe_key=key,
                )
            )
    return told
