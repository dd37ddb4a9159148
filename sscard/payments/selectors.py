"""Reads: an application's payments for its pages, the administrator's payments list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet

from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.core.money import fen_label
from sscard.payments.constants import OrderStatus
from sscard.payments.models import PaymentOrder, ReconciliationRun
from sscard.regions.selectors import region_settings


@dataclass(frozen=True)
class PaymentSummary:
    amount_label: str
    awaiting: bool  # 待缴费: 去支付 is offered
    pay_by: datetime | None  # after this it closes as 未缴费
    orders: list[PaymentOrder] = field(default_factory=list)  # newest first, with refunds

    @property
    def paid(self) -> list[PaymentOrder]:
        return [order for order in self.orders if order.status == OrderStatus.PAID]


def payment_summary(application: Application) -> PaymentSummary | None:
    """What the application owes and what was paid and refunded; None when nothing is owed
    online and nothing was paid."""
    orders = list(PaymentOrder.objects.filter(application=application).select_related("refund"))
    awaiting = application.status == AppStatus.AWAITING_PAYMENT
    if not awaiting and not orders:
        return None
    pay_by = (
        application.submitted_at + timedelta(days=region_settings().payment_days)
        if awaiting
        else None
    )
    return PaymentSummary(
        amount_label=fen_label(application.fee_fen),
        awaiting=awaiting,
        pay_by=pay_by,
        orders=orders,
    )


def payment_orders_list(*, status: str = "") -> QuerySet[PaymentOrder]:
    orders = PaymentOrder.objects.select_related("application", "refund").order_by(
        "-created_at", "-pk"
    )
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    return orders


def reconciliation_latest(limit: int = 7) -> list[ReconciliationRun]:
    return list(ReconciliationRun.objects.prefetch_related("differences")[:limit])
