"""The card reaches its holder: the outlet's handover, a mailed card signed for or confirmed
received; the application is 办结 with the production order's collection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from sscard.accounts.models import Person, User, identity_hash
from sscard.accounts.services import require_role
from sscard.accounts.trust import Action, Requester
from sscard.applications import eligibility
from sscard.applications.constants import ApplicationAction, AppStatus, ItemCode
from sscard.applications.models import Application
from sscard.applications.services.transitions import application_transition
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.core.documents import DocumentError, validate_document
from sscard.core.errors import DomainError
from sscard.production.constants import RECEIVABLE_STAGES, Delivery, Stage
from sscard.production.models import ProductionOrder
from sscard.production.services import order_collect
from sscard.regions.selectors import region_settings

HANDOVER_ID_MISMATCH = "证件号码与持卡人登记信息不一致，不能发卡。请核对领卡人的有效身份证件。"


def application_handover(
    *,
    order: ProductionOrder,
    actor: User,
    doc_type: str,
    doc_number: str,
    now: datetime | None = None,
) -> Application:
    """网点柜员 hands the card over: the clerk checks the original of the identity document the
    collector shows and types its type and number (``doc_type``, ``doc_number``); they must name
    the card's holder (compared through the keyed hash, as the register compares identities).
    Only the holder collects: a document of anybody else is refused, audited, and changes
    nothing. Then the card is 封存 and the application 办结."""
    require_role(actor, User.Role.CLERK)
    now = now or timezone.now()
    try:
        facts = validate_document(doc_type, doc_number, today=timezone.localdate(now))
    except DocumentError as exc:
        raise DomainError(exc.message, code="invalid_document", field="doc_number") from exc
    person = Person.objects.only("identity_hash").get(pk=order.person_id)
    if identity_hash(facts.doc_type, facts.number) != person.identity_hash:
        # audited outside the handover's transaction, so that the refusal stays on record
        audit_record(
            actor=actor,
            action="card.handover",
            target=order,
            result=AuditRecord.Result.REFUSED,
            detail={"reason": "identity_mismatch"},
            at=now,
        )
        raise DomainError(HANDOVER_ID_MISMATCH, code="identity_mismatch", field="doc_number")
    return _handover(order=order, actor=actor, now=now)


@transaction.atomic
def _handover(*, order: ProductionOrder, actor: User, now: datetime) -> Application:
    # lock the order's row only: PostgreSQL refuses FOR UPDATE on the nullable outlet join
    order = (
        ProductionOrder.objects.select_for_update(of=("self",))
        .select_related("outlet")
        .get(pk=order.pk)
    )
    if order.delivery != Delivery.OUTLET:
        raise DomainError("该卡为邮寄领卡，不在网点发放", code="wrong_delivery")
    if actor.outlet_id != order.outlet_id:
        raise DomainError("该卡不在本网点，请核对领卡网点", code="wrong_outlet")
    order_collect(
        order=order, actor=actor, place=order.outlet.name if order.outlet else "", now=now
    )
    return Application.objects.get(production_order=order)


RECEIPT_CONFIRMED_BY_HOLDER = "本人确认收到"


def _receive_mailed(
    order: ProductionOrder,
    *,
    actor: User | None,
    place: str,
    note: str = "",
    now: datetime | None = None,
) -> Application:
    """已领卡 of a mailed card, once: the order's row is locked first, so the holder's
    确认收到, the courier's signed-for report and the periodic confirmation arriving together
    make one collection (one 办结, one message); whoever comes second finds it done."""
    order = ProductionOrder.objects.select_for_update().get(pk=order.pk)
    if order.delivery != Delivery.MAIL:
        raise DomainError(
            "该卡为网点领取，请本人携带有效身份证件到领卡网点领取", code="wrong_delivery"
        )
    if order.stage != Stage.COLLECTED:
        if order.stage not in RECEIVABLE_STAGES:
            raise DomainError("社保卡尚未寄出，收到社保卡后再确认收到", code="not_mailed")
        order_collect(order=order, actor=actor, place=place, note=note, now=now)
    return Application.objects.get(production_order=order)


@transaction.atomic
def application_confirm_delivery(
    *,
    order: ProductionOrder,
    actor: User | None,
    place: str = "邮寄签收",
    note: str = "",
    now: datetime | None = None,
) -> Application:
    """A mailed card was signed for by its holder (the production officer, or the system:
    the periodic confirmation after delivery). Confirming again changes nothing."""
    if actor is not None:
        require_role(actor, User.Role.PRODUCER)
    return _receive_mailed(order, actor=actor, place=place, note=note, now=now)


@transaction.atomic
def application_confirm_receipt(*, requester: Requester, order: ProductionOrder) -> Application:
    """确认收到: the holder (or a minor's guardian) says the mailed card has arrived — the card
    is 封存, ready for 启用, and the application 办结. Needs the region's level for
    ``Action.CONFIRM_RECEIPT`` (default L3+: a card someone else says they received is a card
    in someone else's hands). Confirming twice changes nothing."""
    region = region_settings()
    eligibility.relation_for(ItemCode.ENABLE, requester, order.person, region)
    eligibility.ensure_trust(Action.CONFIRM_RECEIPT, requester, region)
    return _receive_mailed(
        order,
        actor=requester.user,
        place=RECEIPT_CONFIRMED_BY_HOLDER,
        note=f"快递单号 {order.tracking_number}" if order.tracking_number else "",
    )


def application_complete_on_collection(
    *, order: ProductionOrder, actor: User | None, now: datetime | None = None, **_kwargs: Any
) -> None:
    """``order_collected``'s receiver: the application the order was made for is 办结 with
    the order's collection (an order made without one — a test's — has none to complete)."""
    application = Application.objects.filter(production_order=order).first()
    if application is not None:
        _complete(order, application, actor, now or timezone.now())


def _complete(
    order: ProductionOrder, application: Application, actor: User | None, now: datetime
) -> Application:
    # a reissue keeps the card it replaced; the new card is the order's
    changes: dict[str, Any] = {"completed_at": now}
    if application.card_id is None:
        changes["card"] = order.card
    return application_transition(
        application=application,
        to=AppStatus.COMPLETED,
        actor=actor,
        action=ApplicationAction.COMPLETE,
        now=now,
        **changes,
    )
