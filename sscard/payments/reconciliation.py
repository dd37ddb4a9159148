"""The daily reconciliation: our orders paid and refunds made on a day, against the gateway's
statement file for that day. Every difference is stored for the administrator (缴费与对账 in
the back office): a payment the gateway has and we do not (its notification and our queries
both lost), one we have and it does not, an amount that differs. A second run for the day
replaces the first. It runs by itself once a day (:func:`reconcile_yesterday`), and by hand
(``manage.py reconcile_payments``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sscard.audit.services import audit_record
from sscard.payments.constants import DifferenceKind, OrderStatus, RefundStatus
from sscard.payments.gateway import GatewayError, gateway
from sscard.payments.models import (
    PaymentOrder,
    ReconciliationDifference,
    ReconciliationRun,
    Refund,
)

# a day whose statement could not be had is asked for again after this long
RETRY_AFTER = timedelta(hours=1)


def _bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def _ours(day: date) -> dict[tuple[str, str], int]:
    start, end = _bounds(day)
    ours = {
        ("SUCCESS", out_trade_no): amount
        for out_trade_no, amount in PaymentOrder.objects.filter(
            status=OrderStatus.PAID, paid_at__gte=start, paid_at__lt=end
        ).values_list("out_trade_no", "amount_fen")
    }
    ours |= {
        ("REFUND", out_refund_no): amount
        for out_refund_no, amount in Refund.objects.filter(
            status=RefundStatus.SUCCEEDED, refunded_at__gte=start, refunded_at__lt=end
        ).values_list("out_refund_no", "amount_fen")
    }
    return ours


def reconcile(*, day: date, now: datetime | None = None) -> ReconciliationRun:
    """Compare ``day`` (local date) and store the result; a gateway that does not give its
    statement leaves a run that says so, to be run again."""
    now = now or timezone.now()
    ours = _ours(day)
    error = ""
    theirs: dict[tuple[str, str], int] = {}
    try:
        for line in gateway().statement(day=day):
            theirs[(line.entry, line.reference)] = line.amount_fen
    except GatewayError as exc:
        error = str(exc)[:200]
    with transaction.atomic():
        run, _ = ReconciliationRun.objects.update_or_create(
            day=day,
            defaults={"ran_at": now, "ours": len(ours), "theirs": len(theirs), "error": error},
        )
        run.differences.all().delete()
        if not error:
            differences = []
            for key in sorted(set(ours) | set(theirs)):
                entry, reference = key
                mine, their = ours.get(key), theirs.get(key)
                if mine == their:
                    continue
                kind = (
                    DifferenceKind.GATEWAY_ONLY
                    if mine is None
                    else DifferenceKind.OURS_ONLY
                    if their is None
                    else DifferenceKind.AMOUNT
                )
                differences.append(
                    ReconciliationDifference(
                        run=run,
                        kind=kind,
                        entry=entry,
                        reference=reference[:32],
                        ours_fen=mine,
                        theirs_fen=their,
                    )
                )
            ReconciliationDifference.objects.bulk_create(differences)
        audit_record(
            actor=None,
            action="payment.reconciled",
            target=run,
            detail={
                "day": day.isoformat(),
                "ours": len(ours),
                "theirs": len(theirs),
                "differences": run.differences.count(),
                "error": error,
            },
            result="refused" if error else "ok",
            at=now,
        )
    return run


def reconcile_yesterday(*, now: datetime | None = None) -> ReconciliationRun | None:
    """Yesterday's reconciliation, once: from ``SSCARD_PAYMENT_RECONCILE_HOUR`` (local time,
    when the gateway has published the statement) unless yesterday was already reconciled; a
    run that got no statement is tried again an hour later. Nothing when the deployment takes
    no payments. Returns the run made, or None when none was due."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if not settings.SSCARD_PAYMENTS or local.hour < settings.SSCARD_PAYMENT_RECONCILE_HOUR:
        return None
    day = local.date() - timedelta(days=1)
    done = ReconciliationRun.objects.filter(day=day).first()
    if done is not None and (not done.error or done.ran_at > now - RETRY_AFTER):
        return None
    return reconcile(day=day, now=now)
