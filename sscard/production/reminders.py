"""The order's periodic reminder: a card still uncollected at its outlet a month before its
逾期封存 (by default 11 months after the outlet signed it in). Safe to run often: each
occasion is told once (``Notification.dedupe_key``). Scheduled by ``run_periodic``
(``remind_uncollected_cards_task`` in ``SSCARD_PERIODIC_TASKS``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sscard.core.workdays import months_before
from sscard.notifications.constants import Event
from sscard.notifications.models import Notification
from sscard.notifications.services import notify
from sscard.notifications.wording import local_day
from sscard.production.constants import Stage
from sscard.production.models import ProductionEvent, ProductionOrder
from sscard.production.notices import order_placeholders
from sscard.regions.selectors import region_settings


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
        signed_on = local_day(timezone.localdate(signed_at.at)) if signed_at else ""
        with transaction.atomic():
            told += bool(
                notify(
                    Event.CARD_UNCOLLECTED,
                    person=order.person,
                    values=order_placeholders(order) | {"signed_on": signed_on},
                    dedupe_key=f"uncollected:{order.pk}",
                )
            )
    return told
