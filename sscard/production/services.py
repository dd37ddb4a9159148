"""Writes on production orders: every stage change goes through :func:`order_transition`.

Lock order, the same in every transaction that touches a sent batch, so that two of them
never wait for each other (a deadlock): the batch's orders first (several: by primary key),
then the audit chain's end (every stage change appends to the audit trail, which holds the
chain's end until the commit), then the batch's row — last, only to refresh its status
(:func:`batch_refresh_status`), right before the commit. A partner's report, the officer's
制卡失败 and a clerk's 网点签收 all follow it; a service that locks a sent batch and may
append after it (:func:`batch_refresh_status`, :func:`batch_acknowledge`) takes the chain's
end before the batch (``audit_chain_hold``). Drafts are the production officer's alone: they
lock the batch before its orders, and no partner or clerk reaches them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from sscard.accounts.models import Person, User
from sscard.accounts.services import require_role
from sscard.audit.services import actor_label, audit_chain_hold, audit_record
from sscard.cards.constants import CardStatus
from sscard.cards.services import card_create_for_production, card_issue
from sscard.core.errors import DomainError, InvalidTransition
from sscard.notifications.services import notify
from sscard.notifications.wording import local_time
from sscard.production.constants import (
    AWAITING_BATCH_STAGES,
    BATCH_TRANSITIONS,
    IN_PRODUCTION_STAGES,
    OPEN_BATCH_STATUSES,
    STAGE_RANK,
    STAGE_TRANSITIONS,
    BatchStatus,
    Delivery,
    Stage,
)
from sscard.production.models import Batch, ProductionEvent, ProductionOrder
from sscard.production.notices import STAGE_EVENTS, order_placeholders
from sscard.production.signals import order_collected
from sscard.regions.models import Bank, Outlet


def stage_reachable(start: str, to: str) -> bool:
    """``to`` lies ahead of ``start`` on the way to the holder (制卡失败 is no way forward)."""
    seen, frontier = {start}, [start]
    while frontier:
        for nxt in STAGE_TRANSITIONS[frontier.pop()]:
            if nxt == to:
                return True
            if nxt not in seen and nxt != Stage.FAILED:
                seen.add(nxt)
                frontier.append(nxt)
    return False


@transaction.atomic
def order_transition(
    *,
    order: ProductionOrder,
    to: str,
    actor: User | None,
    place: str = "",
    note: str = "",
    at: datetime | None = None,
    by: str = "",
    allow_skip: bool = False,
    now: datetime | None = None,
    **changes: Any,
) -> ProductionOrder:
    """Move ``order`` to ``to``; the only place an order's stage is assigned. ``at`` is when
    the stage was reached (a partner's report time), ``by`` names a partner system acting
    without an account, ``allow_skip`` lets a partner's report jump over stages whose own
    reports are still on their way (they fill in the timeline when they arrive). ``now`` is
    the time of the change (now by default)."""
    now = now or timezone.now()
    # what the holder's notice names comes with the row (only the order's row is locked:
    # PostgreSQL refuses FOR UPDATE on the nullable outlet join)
    order = (
        ProductionOrder.objects.select_for_update(of=("self",))
        .select_related("card", "outlet", "person")
        .get(pk=order.pk)
    )
    allowed = to in STAGE_TRANSITIONS[order.stage] or (
        allow_skip and STAGE_RANK.get(to, 0) > 0 and stage_reachable(order.stage, to)
    )
    if not allowed:
        target = dict(Stage.choices).get(to, to)
        raise InvalidTransition(f"制卡进度为“{order.get_stage_display()}”，不能变更为“{target}”")
    previous = order.stage
    order.stage = to
    for name, value in changes.items():
        setattr(order, name, value)
    order.updated_at = now
    order.save(update_fields=["stage", *changes, "updated_at"])
    ProductionEvent.objects.create(
        order=order,
        stage=to,
        at=at or now,
        place=place,
        note=note,
        actor_id=getattr(actor, "pk", None),
        actor_label=by or actor_label(actor),
    )
    if to in STAGE_EVENTS:
        # the holder hears of each stage that matters to them, whoever reported it (the outbox
        # rows join this transaction; they go out once it commits)
        values = order_placeholders(order) | ({"at": local_time(at)} if at else {})
        notify(STAGE_EVENTS[to], person=order.person, values=values, now=now)
    detail = {"from": previous, "to": to, "place": place, "note": note}
    if by:
        detail["by"] = by
    # the audit row last: it holds the chain's end, which every audited write waits for,
    # until the commit
    audit_record(actor=actor, action=f"production.{to}", target=order, detail=detail, at=now)
    if order.batch_id and previous in IN_PRODUCTION_STAGES and to not in IN_PRODUCTION_STAGES:
        # the last order to leave the bank or the factory closes its batch, whoever moved it
        # (a partner's report, the officer's 制卡失败, a clerk's 网点签收), in this
        # transaction: the batch's row is locked last, after the order's and the chain's end
        _batch_settle(order.batch_id, now=now)
    return order


@transaction.atomic
def order_create(
    *,
    person: Person,
    bank: Bank,
    delivery: str,
    outlet: Outlet | None,
    mail_address: str,
    actor: User | None,
    now: datetime | None = None,
) -> ProductionOrder:
    """A new card number and its production order, at 审核通过."""
    now = now or timezone.now()
    if delivery == Delivery.OUTLET and outlet is None:
        raise DomainError("请选择领卡网点", field="outlet")
    if delivery == Delivery.MAIL and not mail_address:
        raise DomainError("请填写邮寄地址", field="mail_address")
    card = card_create_for_production(person=person, bank=bank, actor=actor, now=now)
    order = ProductionOrder.objects.create(
        card=card,
        person=person,
        bank=bank,
        delivery=delivery,
        outlet=outlet if delivery == Delivery.OUTLET else None,
        mail_address=mail_address if delivery == Delivery.MAIL else "",
        created_at=now,
        updated_at=now,
    )
    ProductionEvent.objects.create(
        order=order,
        stage=Stage.APPROVED,
        at=now,
        actor_id=getattr(actor, "pk", None),
        actor_label=actor_label(actor),
    )
    audit_record(
        actor=actor,
        action="production.created",
        target=order,
        detail={"card": card.masked_number, "delivery": delivery},
        at=now,
    )
    return order


def _officer_or_partner(actor: User | None) -> None:
    """Stages are moved by the production officer, or reported by the partner system
    (``actor`` None: the partner API authenticates its clients itself)."""
    if actor is not None:
        require_role(actor, User.Role.PRODUCER)


def order_send_data(
    *, order: ProductionOrder, actor: User | None, note: str = "", now: datetime | None = None
) -> ProductionOrder:
    """数据录入: the order's data goes to the bank (again, after a failure)."""
    _officer_or_partner(actor)
    return order_transition(
        order=order,
        to=Stage.DATA_SENT,
        actor=actor,
        place=order.bank.name,
        note=note,
        now=now,
        failure_reason="",
    )


@transaction.atomic
def order_advance(
    *,
    order: ProductionOrder,
    to: str,
    actor: User | None,
    place: str = "",
    tracking_number: str = "",
    now: datetime | None = None,
) -> ProductionOrder:
    """制卡中 → 市银行签收 → 网点签收 / 已寄出, as the bank and the outlets report them. The
    outlet's own clerk signs a card in there (网点签收)."""
    order = ProductionOrder.objects.select_related("outlet").get(pk=order.pk)
    if to == Stage.OUTLET and actor is not None and actor.role == User.Role.CLERK:
        if actor.outlet_id != order.outlet_id:
            raise DomainError("该卡不在本网点，请核对领卡网点", code="wrong_outlet")
    else:
        _officer_or_partner(actor)
    if to in (Stage.FAILED, Stage.COLLECTED, Stage.DATA_SENT, Stage.DELIVERED):
        raise DomainError("请使用对应的办理功能", code="wrong_step")
    changes: dict[str, Any] = {}
    if to == Stage.OUTLET:
        if order.delivery != Delivery.OUTLET:
            raise DomainError("该订单为邮寄领卡，不能由网点签收", code="wrong_delivery")
        place = place or (order.outlet.name if order.outlet else "")
    if to == Stage.MAILED:
        if order.delivery != Delivery.MAIL:
            raise DomainError("该订单为网点领取，不能邮寄", code="wrong_delivery")
        if not tracking_number:
            raise DomainError("请填写快递单号", field="tracking_number")
        changes["tracking_number"] = tracking_number
    note = f"快递单号 {tracking_number}" if tracking_number else ""
    return order_transition(
        order=order, to=to, actor=actor, place=place, note=note, now=now, **changes
    )


def order_fail(
    *,
    order: ProductionOrder,
    reason: str,
    actor: User | None,
    at: datetime | None = None,
    by: str = "",
    now: datetime | None = None,
) -> ProductionOrder:
    """制卡失败, with the reason; the order goes back to the production officer."""
    _officer_or_partner(actor)
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写制卡失败原因", field="reason")
    return order_transition(
        order=order,
        to=Stage.FAILED,
        actor=actor,
        note=reason[:200],
        at=at,
        by=by,
        now=now,
        failure_reason=reason[:200],
    )


@transaction.atomic
def order_collect(
    *,
    order: ProductionOrder,
    actor: User | None,
    place: str = "",
    note: str = "",
    at: datetime | None = None,
    by: str = "",
    now: datetime | None = None,
) -> ProductionOrder:
    """已领卡: the holder has the card in hand, which is now 封存 until enabled; the
    application it was made for is 办结 (``order_collected``) and the holder told
    (``Event.CARD_RECEIVED``), all in this transaction."""
    order = order_transition(
        order=order, to=Stage.COLLECTED, actor=actor, place=place, note=note, at=at, by=by, now=now
    )
    card_issue(card=order.card, actor=actor, now=now)
    order_collected.send(sender=ProductionOrder, order=order, actor=actor, now=now)
    return order


# ---------------------------------------------------------------------------------------------
# 制卡批次: the production officer groups a bank's orders, sends them, the partner works on them


def _new_batch_number(now: datetime) -> str:
    return f"PB{timezone.localdate(now):%Y%m%d}{secrets.token_hex(3).upper()}"


def orders_batchable(bank: Bank) -> QuerySet[ProductionOrder]:
    """The bank's orders that may go into a new batch: approved, or failed and back with the
    production officer, not in a batch still being prepared, and with a card still to make."""
    return (
        ProductionOrder.objects.filter(bank=bank, stage__in=AWAITING_BATCH_STAGES)
        .exclude(batch__in=Batch.objects.filter(status=BatchStatus.DRAFT))
        .exclude(card__status=CardStatus.CANCELLED)
    )


@transaction.atomic
def batch_create(
    *, bank: Bank, order_ids: Iterable[int] | None, actor: User, now: datetime | None = None
) -> Batch:
    """A new batch (待发送) of the bank's orders: those named, or all that may go."""
    now = now or timezone.now()
    require_role(actor, User.Role.PRODUCER)
    candidates = orders_batchable(bank).select_for_update(of=("self",)).order_by("pk")
    if order_ids is not None:
        wanted = set(order_ids)
        candidates = candidates.filter(pk__in=wanted)
        found = set(candidates.values_list("pk", flat=True))
        missing = sorted(wanted - found)
        if missing:
            listed = "、".join(f"#{pk}" for pk in missing[:10])
            raise DomainError(
                f"订单{listed}不能加入批次：须为{bank.name}待制卡或制卡失败的订单，且不在其他待发送批次中",
                code="not_batchable",
            )
    orders = list(candidates)
    if not orders:
        raise DomainError(f"{bank.name}暂无可加入批次的订单", code="nothing_to_batch")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                batch = Batch.objects.create(
                    number=_new_batch_number(now), bank=bank, created_by=actor, created_at=now
                )
            break
        except IntegrityError:  # pragma: no cover - a 24-bit collision on the same day
            continue
    else:  # pragma: no cover
        raise DomainError("批次号生成失败，请稍后重试", code="number_exhausted")
    ProductionOrder.objects.filter(pk__in=[o.pk for o in orders]).update(batch=batch)
    audit_record(
        actor=actor,
        action="production.batch_created",
        target=batch,
        detail={"batch": batch.number, "bank": bank.code, "orders": len(orders)},
        at=now,
    )
    return batch


BATCH_ACTIONS: dict[str, str] = {
    BatchStatus.SENT: "production.batch_sent",
    BatchStatus.ACKNOWLEDGED: "production.batch_acknowledged",
    BatchStatus.DONE: "production.batch_done",
}


def batch_transition(
    *,
    batch: Batch,
    to: str,
    actor: User | None,
    detail: dict[str, Any],
    now: datetime | None = None,
    **changes: Any,
) -> Batch:
    """Move a locked ``batch`` to ``to``; the only place a batch's status is assigned, checked
    against :data:`BATCH_TRANSITIONS`, saved with ``changes`` and audited."""
    if to not in BATCH_TRANSITIONS[batch.status]:
        raise InvalidTransition(
            f"批次{batch.number}状态为“{batch.get_status_display()}”，"
            f"不能变更为“{BatchStatus(to).label}”"
        )
    batch.status = to
    for name, value in changes.items():
        setattr(batch, name, value)
    batch.save(update_fields=["status", *changes])
    audit_record(
        actor=actor,
        action=BATCH_ACTIONS[to],
        target=batch,
        detail={"batch": batch.number} | detail,
        at=now,
    )
    return batch


@transaction.atomic
def batch_send(*, batch: Batch, actor: User, now: datetime | None = None) -> Batch:
    """发送: every order of the batch goes to 数据录入; the partner can now fetch it."""
    now = now or timezone.now()
    require_role(actor, User.Role.PRODUCER)
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.DRAFT:
        raise DomainError(f"批次{batch.number}已发送，不能重复发送", code="already_sent")
    orders = list(batch.orders.select_related("bank").order_by("pk"))
    if not orders:
        raise DomainError("批次中没有订单", code="empty_batch")
    for order in orders:
        order_send_data(order=order, actor=actor, note=f"批次 {batch.number}", now=now)
    return batch_transition(
        batch=batch,
        to=BatchStatus.SENT,
        actor=actor,
        detail={"orders": len(orders)},
        now=now,
        sent_at=now,
    )


@transaction.atomic
def batch_cancel_draft(*, batch: Batch, actor: User) -> None:
    """A batch not yet sent is taken apart; its orders wait for the next batch."""
    require_role(actor, User.Role.PRODUCER)
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.DRAFT:
        raise DomainError("已发送的批次不能撤销", code="already_sent")
    count = batch.orders.update(batch=None)
    audit_record(
        actor=actor,
        action="production.batch_cancelled",
        target=batch,
        detail={"batch": batch.number, "orders": count},
    )
    batch.delete()


@transaction.atomic
def batch_acknowledge(*, batch: Batch, by: str, now: datetime | None = None) -> Batch:
    """The partner confirms it has taken the batch over (已接收); saying so again changes
    nothing."""
    audit_chain_hold()  # before the batch's row: the lock order (module docstring)
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == BatchStatus.DRAFT:
        raise DomainError("批次尚未发送", code="not_sent")
    if batch.status != BatchStatus.SENT:
        return batch
    now = now or timezone.now()
    return batch_transition(
        batch=batch,
        to=BatchStatus.ACKNOWLEDGED,
        actor=None,
        detail={"by": by},
        now=now,
        acknowledged_at=now,
        acknowledged_by=by[:80],
    )


@transaction.atomic
def batch_refresh_status(batch: Batch, *, now: datetime | None = None) -> Batch:
    """已完成 once none of the batch's orders is still with the bank or the factory."""
    return _batch_settle(batch.pk, now=now)


def _batch_settle(batch_id: int, *, now: datetime | None) -> Batch:
    """The batch's row is locked last (the lock order, module docstring), the chain's end
    before it since closing the batch appends to the audit trail. Under its lock the orders
    are read as committed by everyone who locked it before: of two last orders leaving at
    once, the second to get here sees the first gone and closes the batch, once."""
    audit_chain_hold()
    batch = Batch.objects.select_for_update().get(pk=batch_id)
    if batch.status not in OPEN_BATCH_STATUSES:
        return batch
    if batch.orders.filter(stage__in=IN_PRODUCTION_STAGES).exists():
        return batch
    now = now or timezone.now()
    return batch_transition(
        batch=batch, to=BatchStatus.DONE, actor=None, detail={}, now=now, done_at=now
    )
