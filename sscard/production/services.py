"""Writes on production orders: every stage change goes through :func:`order_transition`."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sscard.accounts.models import Person, User
from sscard.accounts.services import require_role
from sscard.audit.services import actor_label, audit_record
from sscard.cards.services import card_create_for_production, card_issue
from sscard.core.errors import DomainError
from sscard.notifications.constants import STAGE_EVENTS
from sscard.notifications.services import notify
from sscard.production.constants import STAGE_TRANSITIONS, Delivery, Stage
from sscard.production.models import ProductionEvent, ProductionOrder
from sscard.regions.models import Bank, Outlet


@transaction.atomic
def order_transition(
    *,
    order: ProductionOrder,
    to: str,
    actor: User | None,
    place: str = "",
    note: str = "",
    **changes: Any,
) -> ProductionOrder:
    order = ProductionOrder.objects.select_for_update().get(pk=order.pk)
    if to not in STAGE_TRANSITIONS[order.stage]:
        target = dict(Stage.choices).get(to, to)
        raise DomainError(
            f"制卡进度为“{order.get_stage_display()}”，不能变更为“{target}”",
            code="invalid_transition",
        )
    previous = order.stage
    order.stage = to
    for name, value in changes.items():
        setattr(order, name, value)
    order.save(update_fields=["stage", *changes, "updated_at"])
    ProductionEvent.objects.create(
        order=order,
        stage=to,
        place=place,
        note=note,
        actor_id=getattr(actor, "pk", None),
        actor_label=actor_label(actor),
    )
    audit_record(
        actor=actor,
        action=f"production.{to}",
        target=order,
        detail={"from": previous, "to": to, "place": place, "note": note},
    )
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
) -> ProductionOrder:
    """A new card number and its production order, at 审核通过."""
    if delivery == Delivery.OUTLET and outlet is None:
        raise DomainError("请选择领卡网点", field="outlet")
    if delivery == Delivery.MAIL and not mail_address:
        raise DomainError("请填写邮寄地址", field="mail_address")
    card = card_create_for_production(person=person, bank=bank, actor=actor)
    order = ProductionOrder.objects.create(
        card=card,
        person=person,
        bank=bank,
        delivery=delivery,
        outlet=outlet if delivery == Delivery.OUTLET else None,
        mail_address=mail_address if delivery == Delivery.MAIL else "",
    )
    ProductionEvent.objects.create(
        order=order,
        stage=Stage.APPROVED,
        actor_id=getattr(actor, "pk", None),
        actor_label=actor_label(actor),
    )
    audit_record(
        actor=actor,
        action="production.created",
        target=order,
        detail={"card": card.masked_number, "delivery": delivery},
    )
    return order


def _officer_or_partner(actor: User | None) -> None:
    """Stages are moved by the production officer, or reported by the partner system
    (``actor`` None: the partner API authenticates its clients itself)."""
    if actor is not None:
        require_role(actor, User.Role.PRODUCER)


def order_send_data(*, order: ProductionOrder, actor: User | None) -> ProductionOrder:
    """数据录入: the order's data goes to the bank (again, after a failure)."""
    _officer_or_partner(actor)
    return order_transition(
        order=order, to=Stage.DATA_SENT, actor=actor, place=order.bank.name, failure_reason=""
    )


@transaction.atomic
def order_advance(
    *,
    order: ProductionOrder,
    to: str,
    actor: User | None,
    place: str = "",
    tracking_number: str = "",
) -> ProductionOrder:
    """制卡中 → 市银行签收 → 网点签收 / 已寄出, as the bank and the outlets report them. The
    outlet's own clerk signs a card in there (网点签收)."""
    order = ProductionOrder.objects.select_related("outlet").get(pk=order.pk)
    if to == Stage.OUTLET and actor is not None and actor.role == User.Role.CLERK:
        if actor.outlet_id != order.outlet_id:
            raise DomainError("该卡不在本网点，请核对领卡网点", code="wrong_outlet")
    else:
        _officer_or_partner(actor)
    if to in (Stage.FAILED, Stage.COLLECTED, Stage.DATA_SENT):
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
    order = order_transition(order=order, to=to, actor=actor, place=place, note=note, **changes)
    if to in STAGE_EVENTS:
        notify(STAGE_EVENTS[to], person=order.person, context={"order": order})
    return order


def order_fail(*, order: ProductionOrder, reason: str, actor: User | None) -> ProductionOrder:
    """制卡失败, with the reason; the order goes back to the production officer."""
    _officer_or_partner(actor)
    reason = reason.strip()
    if not reason:
        raise DomainError("请填写制卡失败原因", field="reason")
    return order_transition(
        order=order, to=Stage.FAILED, actor=actor, note=reason, failure_reason=reason[:200]
    )


@transaction.atomic
def order_collect(
    *, order: ProductionOrder, actor: User | None, place: str = ""
) -> ProductionOrder:
    """已领卡: the holder has the card in hand, which is now 封存 until enabled."""
    order = order_transition(order=order, to=Stage.COLLECTED, actor=actor, place=place)
    card_issue(card=order.card, actor=actor)
    return order
