"""Paying an application's fee: 去支付 (one gateway order per attempt), the gateway's
notification and the order query that both settle a payment exactly once, closing lapsed
orders and applications left unpaid. Writes are atomic and audited; a call to the gateway
never runs inside a database transaction (it may take seconds, and a lock must not wait on it).

The application's own step is :func:`application_transition` (待缴费 → 已提交, action 缴费,
or → 未缴费); where it goes once paid (review, or production as the region chooses) is the
application's rule (:func:`application_route_paid`); refunds are in
:mod:`sscard.payments.refunds`."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from sscard.accounts.models import User
from sscard.applications.constants import ApplicationAction, AppStatus
from sscard.applications.models import Application
from sscard.applications.notices import notify_application
from sscard.applications.services import application_route_paid, application_transition
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError, NotFound
from sscard.core.money import fen_label
from sscard.notifications.constants import Event
from sscard.payments import refunds
from sscard.payments.constants import CLOSED, NOTPAY, SUCCESS, NoticeOutcome, OrderStatus
from sscard.payments.gateway import GatewayError, OrderState, gateway
from sscard.payments.models import PaymentNotice, PaymentOrder
from sscard.regions.selectors import region_settings

logger = logging.getLogger("sscard.payments")

UNAVAILABLE = "支付服务暂时不可用，请稍后再试（不会重复扣款）"
NOT_OWED = "该办件无需缴费"


class NoticeRefused(DomainError):
    """A notification we do not act on: its answer to the gateway is an error (4xx)."""


def _new_out_trade_no(application: Application) -> str:
    return f"P{application.receipt_number[-12:]}{secrets.token_hex(5).upper()}"[:32]


def _open_order(application: Application) -> PaymentOrder | None:
    return PaymentOrder.objects.filter(application=application, status=OrderStatus.CREATED).first()


def _description(application: Application) -> str:
    return f"{application.get_item_display()} 工本费"[:80]


# --- 去支付 -----------------------------------------------------------------------------------


def payment_start(
    *, user: User, application: Application, return_url: str, now: datetime | None = None
) -> PaymentOrder:
    """The order to pay ``application``'s fee, with the gateway's pay page. A second click (or
    a second tab) while an order is open gets the same order; an order past its minutes is
    first settled with the gateway (perhaps it was paid) and closed, then a new one is made.
    When the gateway does not answer the order is kept, and the next click asks it again with
    the same number: the gateway never holds two orders for one attempt."""
    now = now or timezone.now()
    for _round in range(2):
        order = _order_for_attempt(user=user, application=application, now=now)
        if order.expires_at <= now:
            if _settle_by_query(order, now=now) == OrderStatus.PAID:
                raise DomainError("该办件已缴费", code="already_paid")
            continue  # closed: the next round makes a fresh order
        if not order.pay_url:
            _create_at_gateway(order, return_url=return_url, now=now)
        return order
    raise DomainError(UNAVAILABLE, code="payment_unavailable")  # pragma: no cover


@transaction.atomic
def _order_for_attempt(*, user: User, application: Application, now: datetime) -> PaymentOrder:
    locked = (
        Application.objects.select_for_update().filter(pk=application.pk, applicant=user).first()
    )
    if locked is None:
        raise NotFound("未找到该办件")
    if locked.status != AppStatus.AWAITING_PAYMENT:
        raise DomainError(
            f"办件当前为“{locked.get_status_display()}”，无需缴费", code="not_awaiting_payment"
        )
    order = _open_order(locked)
    if order is not None:
        return order
    minutes = region_settings().payment_order_minutes
    order = PaymentOrder.objects.create(
        application=locked,
        out_trade_no=_new_out_trade_no(locked),
        amount_fen=locked.fee_fen,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    audit_record(
        actor=user,
        action="payment.order_created",
        target=order,
        detail={
            "receipt": locked.receipt_number,
            "out_trade_no": order.out_trade_no,
            "amount_fen": order.amount_fen,
        },
        at=now,
    )
    return order


def _create_at_gateway(order: PaymentOrder, *, return_url: str, now: datetime) -> None:
    try:
        created = gateway().create_order(
            out_trade_no=order.out_trade_no,
            amount_fen=order.amount_fen,
            description=_description(order.application),
            expires_at=order.expires_at,
            return_url=return_url,
        )
    except GatewayError as exc:
        logger.warning("payment.gateway_failed", extra={"call": "create", "error": str(exc)})
        raise DomainError(UNAVAILABLE, code="payment_unavailable") from None
    PaymentOrder.objects.filter(pk=order.pk, pay_url="").update(pay_url=created.pay_url)
    order.refresh_from_db(fields=["pay_url"])


# --- settling: the notification, the query ---------------------------------------------------


def payment_notified(
    *, notify_id: str, event_type: str, state: OrderState, now: datetime | None = None
) -> str:
    """A notification whose signature was checked (:mod:`sscard.payments.callback`). A repeat
    (its id seen before) changes nothing; only a payment's success is acted on; one for an
    unknown order, with another amount, or paid before the order existed is refused with
    :class:`NoticeRefused` (and audited), the application untouched. Returns the outcome."""
    now = now or timezone.now()
    success = event_type == "TRANSACTION.SUCCESS" and state.trade_state == SUCCESS
    with transaction.atomic():
        order = (
            PaymentOrder.objects.select_for_update().filter(out_trade_no=state.out_trade_no).first()
        )
        refusal = _inconsistency(order, state) if order is None or success else None
        if refusal is None:
            assert order is not None  # noqa: S101 — an unknown order is an inconsistency
            try:
                with transaction.atomic():
                    notice = PaymentNotice.objects.create(
                        notify_id=notify_id[:64],
                        received_at=now,
                        out_trade_no=state.out_trade_no,
                        event_type=event_type[:40],
                        outcome=NoticeOutcome.APPLIED,
                    )
            except IntegrityError:
                return NoticeOutcome.REPEAT
            outcome = (
                _settle_paid(order, state, source="notification", now=now)
                if success
                else NoticeOutcome.IGNORED
            )
            if outcome != NoticeOutcome.APPLIED:
                notice.outcome = outcome
                notice.save(update_fields=["outcome"])
            return outcome
    code, reason = refusal
    _audit_refusal(state, code, action="payment.notice_refused", now=now)
    raise NoticeRefused(reason, code=code)


def _inconsistency(order: PaymentOrder | None, state: OrderState) -> tuple[str, str] | None:
    """Why a payment's success for ``order`` cannot be true, if it cannot."""
    if order is None:
        return "unknown_order", "订单不存在"
    if state.amount_fen != order.amount_fen:
        return "amount_mismatch", "金额与订单不一致"
    if state.success_time is not None and state.success_time < order.created_at - timedelta(
        minutes=5
    ):
        return "out_of_order", "支付时间早于订单创建时间"
    return None


def _audit_refusal(state: OrderState, code: str, *, action: str, now: datetime) -> None:
    audit_record(
        actor=None,
        action=action,
        detail={
            "out_trade_no": state.out_trade_no[:32],
            "reason": code,
            "amount_fen": state.amount_fen,
        },
        result="refused",
        at=now,
    )
    logger.warning(action, extra={"reason": code})


def _settle_paid(order: PaymentOrder, state: OrderState, *, source: str, now: datetime) -> str:
    """Mark ``order`` (locked) paid once and move its application on: 待缴费 → 已提交 (and on to
    production where the region chooses, :func:`application_route_paid`). A paid
    order whose application no longer waits (withdrawn, closed unpaid, or paid by another
    order) is refunded at once."""
    if order.status == OrderStatus.PAID:
        return NoticeOutcome.REPEAT
    order.status = OrderStatus.PAID
    order.transaction_id = state.transaction_id[:64]
    order.paid_at = state.success_time or now
    order.save(update_fields=["status", "transaction_id", "paid_at"])
    application = Application.objects.select_for_update().get(pk=order.application_id)
    audit_record(
        actor=None,
        action="payment.paid",
        target=order,
        detail={
            "receipt": application.receipt_number,
            "out_trade_no": order.out_trade_no,
            "amount_fen": order.amount_fen,
            "source": source,
        },
        at=now,
    )
    already = PaymentOrder.objects.filter(application=application, status=OrderStatus.PAID).exclude(
        pk=order.pk
    )
    if application.status == AppStatus.AWAITING_PAYMENT and not already.exists():
        application = application_transition(
            application=application,
            to=AppStatus.SUBMITTED,
            actor=None,
            action=ApplicationAction.PAY,
            note=f"已支付 {fen_label(order.amount_fen)}",
            now=now,
        )
        notify_application(
            Event.PAYMENT_PAID,
            application,
            values={"amount": fen_label(order.amount_fen)},
            now=now,
        )
        # the review queue, or (the region's choice, where nothing needs a reviewer) production
        application_route_paid(application=application, now=now)
    else:
        reason = "重复支付" if already.exists() else f"办件{application.get_status_display()}"
        refunds.refund_create(order=order, reason=reason, now=now, application=application)
    return NoticeOutcome.APPLIED


def _settle_by_query(order: PaymentOrder, *, now: datetime) -> str:
    """Ask the gateway how ``order`` stands: paid → settled; closed, unknown, or unpaid past its
    time → closed (at the gateway too). Returns our status afterwards. When the gateway does
    not answer nothing changes."""
    try:
        state = gateway().query_order(out_trade_no=order.out_trade_no)
    except GatewayError as exc:
        logger.warning("payment.gateway_failed", extra={"call": "query", "error": str(exc)})
        return order.status
    PaymentOrder.objects.filter(pk=order.pk).update(queried_at=now)
    if state is not None and state.trade_state == SUCCESS:
        with transaction.atomic():
            locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
            refusal = _inconsistency(locked, state)
            if refusal is None:
                _settle_paid(locked, state, source="query", now=now)
        if refusal is not None:
            _audit_refusal(state, refusal[0], action="payment.query_refused", now=now)
        order.refresh_from_db()
        return order.status
    lapsed = (
        state is None
        or state.trade_state == CLOSED
        or (state.trade_state == NOTPAY and order.expires_at <= now)
    )
    if lapsed and order.status == OrderStatus.CREATED:
        if state is not None:  # closed there too, so that it can no longer be paid
            try:
                gateway().close_order(out_trade_no=order.out_trade_no)
            except GatewayError:
                return order.status  # not closed there: it might still be paid
        with transaction.atomic():
            changed = PaymentOrder.objects.filter(pk=order.pk, status=OrderStatus.CREATED).update(
                status=OrderStatus.CLOSED, closed_at=now
            )
            if changed:
                audit_record(
                    actor=None,
                    action="payment.order_closed",
                    target=order,
                    detail={"out_trade_no": order.out_trade_no},
                    at=now,
                )
        order.refresh_from_db()
    return order.status


def payment_check(*, user: User, application: Application, now: datetime | None = None) -> str:
    """The citizen is back from the gateway's page: ask the gateway about the open order
    rather than wait for its notification. Returns the application's status afterwards."""
    now = now or timezone.now()
    if application.applicant_id != user.pk:
        raise NotFound("未找到该办件")
    order = _open_order(application)
    if order is not None:
        _settle_by_query(order, now=now)
    application.refresh_from_db(fields=["status"])
    return application.status


# --- periodic ----------------------------------------------------------------------------------

QUERY_AFTER = timedelta(minutes=2)


def payments_query_open(*, now: datetime | None = None) -> int:
    """Settle doubt on open orders whose notification is late (older than two minutes), and
    close those past their time. Safe to run twice or concurrently."""
    now = now or timezone.now()
    settled = 0
    for order in PaymentOrder.objects.filter(
        status=OrderStatus.CREATED, created_at__lte=now - QUERY_AFTER
    ).select_related("application")[:500]:
        if _settle_by_query(order, now=now) != OrderStatus.CREATED:
            settled += 1
    return settled


def payments_close_unpaid(*, now: datetime | None = None) -> int:
    """未缴费: applications still 待缴费 the region's payment days (calendar days) after they
    were submitted are closed — after asking the gateway about their open order, which may
    have been paid a moment ago. Safe to run twice or concurrently."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=region_settings().payment_days)
    closed = 0
    for application in Application.objects.filter(
        status=AppStatus.AWAITING_PAYMENT, submitted_at__lte=cutoff
    )[:500]:
        order = _open_order(application)
        if order is not None and _settle_by_query(order, now=now) != OrderStatus.CLOSED:
            continue  # paid just now, or the gateway did not answer: not closed on a doubt
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if locked.status != AppStatus.AWAITING_PAYMENT or _open_order(locked) is not None:
                continue
            application_transition(
                application=locked,
                to=AppStatus.UNPAID,
                actor=None,
                action=ApplicationAction.PAYMENT_LAPSE,
                note=f"提交后{region_settings().payment_days}天内未缴费",
                now=now,
            )
            closed += 1
    return closed
