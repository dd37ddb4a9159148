"""Reads for the production officer's screens and the partner API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from sscard.production.constants import (
    IN_PRODUCTION_STAGES,
    OPEN_BATCH_STATUSES,
    RECEIVABLE_STAGES,
    BatchStatus,
    Delivery,
    Stage,
)
from sscard.production.models import Batch, ProductionOrder
from sscard.production.services import orders_batchable
from sscard.regions.models import Bank
from sscard.regions.selectors import region_settings


def orders_stuck(*, now: datetime | None = None) -> QuerySet[ProductionOrder]:
    """Orders with the bank or the factory that have not moved for longer than the region's
    setting (制卡环节滞留提醒)."""
    now = now or timezone.now()
    limit = now - timedelta(days=region_settings().production_stuck_days)
    return (
        ProductionOrder.objects.filter(stage__in=IN_PRODUCTION_STAGES, updated_at__lt=limit)
        .select_related("card", "person", "bank", "batch")
        .order_by("updated_at")
    )


def orders_failed() -> QuerySet[ProductionOrder]:
    """制卡失败, back with the production officer (the reason on each)."""
    return (
        ProductionOrder.objects.filter(stage=Stage.FAILED)
        .select_related("card", "person", "bank", "batch")
        .order_by("-updated_at")
    )


@dataclass(frozen=True)
class BankQueue:
    bank: Bank
    waiting: int


def banks_with_waiting_orders() -> list[BankQueue]:
    """Per cooperating bank, how many orders may go into a new batch."""
    return [
        BankQueue(bank, count)
        for bank in Bank.objects.order_by("code")
        if (count := orders_batchable(bank).count())
    ]


def stage_counts() -> dict[str, int]:
    rows = ProductionOrder.objects.values("stage").annotate(n=Count("pk"))
    counts = {row["stage"]: row["n"] for row in rows}
    return {label: counts.get(value, 0) for value, label in Stage.choices}


def batches_recent(limit: int = 50) -> QuerySet[Batch]:
    """The newest batches first. The order is asked for here: a grouped query (the order
    count) does not use the model's default ordering."""
    return (
        Batch.objects.select_related("bank")
        .annotate(order_count=Count("orders"))
        .order_by("-created_at", "-id")[:limit]
    )


def batch_orders(batch: Batch) -> QuerySet[ProductionOrder]:
    return batch.orders.select_related("card", "person", "outlet", "bank").order_by("pk")


def batches_open_for_bank(bank_id: int) -> QuerySet[Batch]:
    return (
        Batch.objects.filter(bank_id=bank_id, status__in=OPEN_BATCH_STATUSES)
        .select_related("bank")
        .annotate(order_count=Count("orders"))
        .order_by("sent_at", "pk")
    )


def batch_for_bank(bank_id: int, number: str) -> Batch | None:
    """A sent batch of this bank; a draft or another bank's batch is not there (None)."""
    return (
        Batch.objects.filter(bank_id=bank_id, number=number)
        .exclude(status=BatchStatus.DRAFT)
        .select_related("bank")
        .annotate(order_count=Count("orders"))
        .first()
    )


def orders_in_delivery(bank_id: int, limit: int = 500) -> QuerySet[ProductionOrder]:
    """The bank's mailed cards the courier has not yet handed to their holder (已寄出,
    已投递), the oldest first, each with when it was mailed (``mailed_at``)."""
    return (
        ProductionOrder.objects.filter(
            bank_id=bank_id, delivery=Delivery.MAIL, stage__in=RECEIVABLE_STAGES
        )
        .exclude(batch__isnull=True)
        .select_related("batch")
        .annotate(mailed_at=Max("events__at", filter=Q(events__stage=Stage.MAILED)))
        .order_by("mailed_at", "pk")[:limit]
    )
