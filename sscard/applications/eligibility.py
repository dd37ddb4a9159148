"""Before the form: may this requester use this item for this person or card? Each check
raises a DomainError that says, in plain Chinese, why not and what to do instead. The
services run the same checks again under their row locks."""

from __future__ import annotations

from copy import copy
from datetime import date, datetime

from django.utils import timezone

from sscard.accounts.models import Person, User
from sscard.accounts.services import (
    COUNTER_ROLES,
    Relation,
    employer_ensure_approved,
    person_relation,
    require_role,
)
from sscard.accounts.trust import (  # StepUpRequired: raised from here since the start
    Action,
    Requester,
    StepUpRequired,  # noqa: F401
    ensure_trust,
)
from sscard.applications.catalogue import SSCARD, Audience
from sscard.applications.constants import CARD_ITEMS, OPEN_STATUSES, ReissueKind
from sscard.applications.models import Application
from sscard.cards import rules
from sscard.cards.constants import LIVE_STATUSES, CardStatus
from sscard.cards.models import Card
from sscard.cards.selectors import card_effective_status
from sscard.core.errors import DomainError, NotFound, refuse_if
from sscard.core.masking import mask_name
from sscard.regions.models import RegionSettings
from sscard.regions.selectors import region_settings

COUNTER = "请携带有效身份证件到社保卡服务网点办理"


class OpenApplication(DomainError):
    """一人一卡: the person already has a card request in hand (the employer's batch check
    names it in its own words)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="open_application")


class NotFormallyLost(DomainError):
    """补卡 asked for a card not 正式挂失: the refusal answers the 补卡或换卡 choice."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_formally_lost")


class NotReplaceable(DomainError):
    """换卡 asked for a card that may not be replaced: the refusal answers the 补卡或换卡 choice."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_replaceable")


AUDIENCE_OF_RELATION = {
    Relation.SELF: Audience.CITIZEN,
    Relation.GUARDIAN: Audience.GUARDIAN,
    Relation.EMPLOYER: Audience.EMPLOYER,
}


def relation_for(
    item: str,
    requester: Requester,
    person: Person,
    region: RegionSettings | None = None,
    *,
    today: date | None = None,
) -> str:
    """How the requester may use ``item`` for ``person``: as themself, as a minor's guardian or
    as the person's employer — and only where the catalogue lets that audience use the item
    (an employer applies and follows progress, it does not report an employee's card lost)."""
    if requester.counter:
        # 窗口代办: the counter serves every item for the person whose document was checked
        require_role(requester.user, *COUNTER_ROLES)
        return Relation.COUNTER
    region = region or region_settings()
    relation = person_relation(
        user=requester.user, person=person, today=today or timezone.localdate(), region=region
    )
    if AUDIENCE_OF_RELATION[relation] not in SSCARD.item(item).audiences:
        raise NotFound("未找到可为您办理的人员信息")
    return relation


def ensure_online_allowed(person: Person, card: Card | None, region: RegionSettings) -> None:
    if person.doc_type in region.excluded_doc_types:
        raise DomainError(
            f"持{person.get_doc_type_display()}的人员暂不支持线上办理，{COUNTER}",
            code="counter_only",
        )
    if card is not None and card.issuing_area in region.excluded_issuing_areas:
        raise DomainError(f"该社保卡的发卡地区暂不支持线上办理，{COUNTER}", code="counter_only")


FORMAL_LOSS_AT_COUNTER = (
    "本地区正式挂失须本人携带有效身份证件到社保卡服务网点柜台办理，线上可先办理临时挂失；"
    "可在“我的办件”中预约网点办理正式挂失"
)


def formal_loss_online(requester: Requester, region: RegionSettings | None = None) -> bool:
    """Whether ``requester`` may make a loss report formal here: everywhere at a counter; online
    unless the region has 正式挂失 done at the counter only (``formal_loss_at_counter``)."""
    region = region or region_settings()
    return requester.counter or not region.formal_loss_at_counter


def ensure_formal_loss_online(requester: Requester, region: RegionSettings | None = None) -> None:
    if not formal_loss_online(requester, region):
        raise DomainError(FORMAL_LOSS_AT_COUNTER, field="action", code="formal_loss_at_counter")


def open_card_application(person: Person) -> Application | None:
    return (
        Application.objects.filter(subject=person, item__in=CARD_ITEMS, status__in=OPEN_STATUSES)
        .order_by("-submitted_at")
        .first()
    )


def ensure_no_open_card_application(person: Person) -> None:
    open_app = open_card_application(person)
    if open_app is not None:
        raise OpenApplication(
            f"{mask_name(person.name)}已有正在办理的“{open_app.get_item_display()}”申请"
            f"（受理编号{open_app.receipt_number}，{open_app.get_status_display()}），不能重复申请；"
            "可通过“社保卡制卡进度查询”查看办理进度"
        )


def check_apply(*, requester: Requester, subject: Person | None, today: date | None = None) -> None:
    """一人一卡: refused while the person holds a live card or has an open card request. An
    employer applies only once its registration is approved."""
    if not requester.counter and requester.user.role == User.Role.EMPLOYER:
        employer_ensure_approved(requester.user.employer)
    if subject is None:
        return
    region = region_settings()
    if not requester.counter:  # what is excluded online is what the counter is for
        ensure_online_allowed(subject, None, region)
    live = Card.objects.filter(person=subject, status__in=LIVE_STATUSES).first()
    if live is not None:
        raise DomainError(
            f"一人只能持有一张社会保障卡：{mask_name(subject.name)}已有社保卡"
            f"（卡号{live.masked_number}，状态：{live.get_status_display()}）。"
            "卡片遗失请办理挂失后补卡，卡片损坏或需更换请办理“社会保障卡补换卡”",
            code="has_card",
        )
    ensure_no_open_card_application(subject)


def _as_of_now(card: Card, now: datetime | None = None) -> Card:
    """The card as its holder sees it: a temporary loss report past its expiry has ended even
    if the sweep has not written that yet (the services lift it under the row lock)."""
    status = card_effective_status(card, now=now)
    if status == card.status:
        return card
    current = copy(card)
    current.status, current.status_before_loss, current.loss_expires_at = status, "", None
    return current


def check_enable(*, requester: Requester, card: Card) -> None:
    card = _as_of_now(card)
    refuse_if(rules.enable_refusal(card), code="not_sealed")
    ensure_trust(Action.ENABLE, requester)


def check_loss(*, requester: Requester, card: Card) -> None:
    card = _as_of_now(card)
    refuse_if(rules.loss_refusal(card), code="not_live")


def check_reissue(
    *, requester: Requester, card: Card, kind: str | None = None, now: datetime | None = None
) -> None:
    region = region_settings()
    card = _as_of_now(card, now)
    if not requester.counter:
        ensure_online_allowed(card.person, card, region)
    not_lost = rules.reissue_refusal(card)
    temp_lost = card.status == CardStatus.TEMP_LOST
    if not_lost and temp_lost and not formal_loss_online(requester, region):
        # the rule's answer sends the holder to the online 挂失 item, which does not make it here
        not_lost = f"补卡前需先办理正式挂失：该社保卡目前为临时挂失，{FORMAL_LOSS_AT_COUNTER}"
    if kind == ReissueKind.REISSUE:
        refuse_if(not_lost, error=NotFormallyLost)
    elif kind == ReissueKind.REPLACE:
        refuse_if(rules.replace_refusal(card), error=NotReplaceable)
    elif not_lost and rules.replace_refusal(card):
        # neither is open: say what comes first — a card collected but not enabled (封存) is
        # enabled before it is replaced; a card reported lost needs 正式挂失 before 补卡
        if card.status == CardStatus.SEALED:
            refuse_if(rules.replace_refusal(card), error=NotReplaceable)
        refuse_if(not_lost, error=NotFormallyLost)
    ensure_no_open_card_application(card.person)
    ensure_trust(Action.REISSUE, requester, region)


def check_change(*, requester: Requester, subject: Person) -> None:
    """信息变更 is open to every person on record, once the login is sure of them."""
    ensure_trust(Action.CHANGE_INFO, requester)


NOTHING_APPLIED_FOR = "暂无制卡记录：尚未办理社会保障卡申领或补换卡。可选择“社会保障卡申领”提交申请"


def check_progress(*, requester: Requester, subject: Person) -> None:
    """Anyone the requester may act for can be looked up: ``query_progress`` itself refuses a
    person with no card request at all (:data:`NOTHING_APPLIED_FOR`), from the rows it reads
    anyway, rather than a query asked here first."""


def check_status(*, requester: Requester, card: Card) -> None:
    """Any card of the person can be looked at, cancelled ones included."""
