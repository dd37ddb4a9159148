"""The periodic reminders (临时挂失 lapsing tomorrow, cards uncollected a month before their
逾期封存 — by default 11 months after the outlet signed them in): safe to
run often, each occasion is told once (``Notification.dedupe_key``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.core.workdays import months_before
from sscard.notifications.constants import Event
from sscard.notifications.models import Notification
from sscard.notifications.services import notify
from sscard.notifications.wording import local_day
from sscard.production.constants import Stage
from sscard.production.models import ProductionEvent, ProductionOrder
from sscard.regions.selectors import region_settings


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
                    context={"card": card},
                    dedupe_key=key,
                )
            )
    return told


def remind_uncollected_cards(*, now: datetime | None = None) -> int:
    """Cards signed in at their outlet a month less than the region's 逾期封存 ago (11 months
    by default) or more, and still not collected."""
    now = now or timezone.now()
    months = max(1, region_settings().uncollected_seal_months - 1)
    cutoff_day = months_before(timezone.localdate(now), months)
    cutoff = timezone.make_aware(datetime.combine(cutoff_day + timedelta(days=1), time.min))
    signed = ProductionEvent.objects.filter(stage=Stage.OUTLET, at__lt=cutoff)
    orders = ProductionOrder.objects.filter(
        stage=Stage.OUTLET, pk__in=signed.values("order_id")
    ).select_related("person", "outlet", "card")
    told = 0
    for order in orders:
        if Notification.objects.filter(dedupe_key=f"uncollected:{order.pk}").exists():
            continue
        signed_at = (
            ProductionEvent.objects.filter(order=order, stage=Stage.OUTLET).order_by("-at").first()
        )
        with transaction.atomic():
            told += bool(
                notify(
                    Event.CARD_UNCOLLECTED,
                    person=order.person,
                    context={
                        "order": order,
                        "signed_on": local_day(timezone.localdate(signed_at.at))
                        if signed_at
                        else "",
                    },
                    dedupe_key=f"uncollected:{order.pk}",
                )
            )
    return told
