"""Refunds: a paid fee goes back when its application is refused (不予通过/不予受理) or withdrawn,
or when a payment arrives for an application that no longer waits for it. The refund row is
written in the same transaction as the status change (nothing is forgotten if the process
dies); the gateway is asked after the commit, and a periodic job retries what it did not take.
The gateway takes each ``out_refund_no`` once: asking again never refunds twice."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from sscard.applications.constants import AppStatus, refusal_word
from sscard.applications.models import Application
from sscard.applications.notices import notify_application
from sscard.applications.services.transitions import application_changed
from sscard.audit.services import audit_record
from sscard.core.money import fen_label
from sscard.notifications.constants import Event
from sscard.payments.constants import OrderStatus, RefundStatus
from sscard.payments.gateway import GatewayError, gateway
from sscard.payments.models import PaymentOrder, Refund

logger = logging.getLogger("sscard.payments")

# an application leaving for one of these, after payment, gets its fee back
REFUNDED_ON = frozenset({AppStatus.REJECTED, AppStatus.WITHDRAWN})


def refund_create(
    *,
    order: PaymentOrder,
    reason: str,
    now: datetime | None = None,
    application: Application | None = None,
) -> Refund:
    """Record the refund of ``order`` (paid) in the caller's transaction, tell the holder (工本费
    将原路退回, with the amount and the reason) and send it after the commit. A second call for
    the same order returns the first refund and tells nobody again. ``application`` is the
    order's, when the caller holds it."""
    now = now or timezone.now()
    existing = Refund.objects.filter(order=order).first()
    if existing is not None:
        return existing
    refund = Refund.objects.create(
        order=order,
        out_refund_no=f"R{order.out_trade_no[1:20]}{secrets.token_hex(4).upper()}"[:32],
        amount_fen=order.amount_fen,
        reason=reason[:80],
        created_at=now,
    )
    audit_record(
        actor=None,
        action="payment.refund_requested",
        target=refund,
        detail={
            "out_trade_no": order.out_trade_no,
            "out_refund_no": refund.out_refund_no,
            "amount_fen": refund.amount_fen,
            "reason": refund.reason,
        },
        at=now,
    )
    notify_application(
        Event.PAYMENT_REFUNDED,
        application if application is not None else order.application,
        values={"amount": fen_label(refund.amount_fen), "reason": refund.reason},
        now=now,
    )
    transaction.on_commit(partial(_send_later, refund.pk))
    return refund


def _send_later(refund_id: int) -> None:
    from sscard.payments.tasks import send_refund_task

    send_refund_task.enqueue(refund_id=refund_id)


def refund_send(*, refund_id: int, now: datetime | None = None) -> str:
    """Ask the gateway to refund (again, for one it has not confirmed). Returns the status."""
    now = now or timezone.now()
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund.status
    try:
        result = gateway().refund(
            out_trade_no=refund.order.out_trade_no,
            out_refund_no=refund.out_refund_no,
            amount_fen=refund.amount_fen,
            reason=refund.reason,
        )
    except GatewayError as exc:
        Refund.objects.filter(pk=refund.pk).update(
            attempts=refund.attempts + 1, last_error=str(exc)[:200]
        )
        logger.warning("payment.refund_failed", extra={"error": str(exc)})
        return RefundStatus.PENDING
    if result.status != "SUCCESS":
        Refund.objects.filter(pk=refund.pk).update(
            attempts=refund.attempts + 1, refund_id=result.refund_id[:64], last_error=""
        )
        return RefundStatus.PENDING
    with transaction.atomic():
        changed = Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
            status=RefundStatus.SUCCEEDED,
            refund_id=result.refund_id[:64],
            refunded_at=result.success_time or now,  # the gateway's, as in its statement
            attempts=refund.attempts + 1,
            last_error="",
        )
        if changed:
            audit_record(
                actor=None,
                action="payment.refunded",
                target=refund,
                detail={
                    "out_refund_no": refund.out_refund_no,
                    "refund_id": result.refund_id[:64],
                    "amount_fen": refund.amount_fen,
                },
                at=now,
            )
    return RefundStatus.SUCCEEDED


def refunds_retry(*, now: datetime | None = None) -> int:
    """Send again every refund the gateway has not confirmed. Safe to run twice."""
    done = 0
    for refund_id in Refund.objects.filter(status=RefundStatus.PENDING).values_list(
        "pk", flat=True
    )[:200]:
        if refund_send(refund_id=refund_id, now=now) == RefundStatus.SUCCEEDED:
            done += 1
    return done


def _on_application_changed(
    sender: Any, *, application: Application, previous: str, now: datetime, **kwargs: Any
) -> None:
    if application.status not in REFUNDED_ON:
        return
    reason = refusal_word(previous) if application.status == AppStatus.REJECTED else "申请人撤回"
    for order in PaymentOrder.objects.filter(
        application=application, status=OrderStatus.PAID, refund__isnull=True
    ):
        refund_create(order=order, reason=reason, now=now, application=application)


def connect() -> None:
    application_changed.connect(_on_application_changed, dispatch_uid="payments.refund_on_close")
