"""2 启用, 3 挂失与解挂, 5 信息变更: 即时办结, recorded as completed applications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from sscard.accounts.models import Person, User
from sscard.accounts.services import person_change_contact
from sscard.accounts.trust import Action, Requester
from sscard.applications import eligibility
from sscard.applications.constants import AppStatus, ItemCode, LossAction
from sscard.applications.models import Application
from sscard.applications.notices import contact_placeholders, notify_application
from sscard.applications.services.transitions import _already_submitted, _create_application
from sscard.cards.models import Card
from sscard.cards.services import (
    HashedServicePassword,
    card_cancel_loss,
    card_enable,
    card_lock_current,
    card_report_loss,
)
from sscard.core.errors import DomainError
from sscard.notifications.constants import Event
from sscard.regions.selectors import region_settings
from sscard.verification.models import Purpose
from sscard.verification.services import challenge_spend

# ---------------------------------------------------------------------------------------------
# 2 启用, 3 挂失与解挂, 5 信息变更: 即时办结, recorded as completed applications


def _card_for(
    requester: Requester, card: Card, submission_key: Any, now: datetime
) -> tuple[Card, Application | None]:
    """The card, locked: two submissions for one card are taken one after the other, and the
    second finds the first's application (asked once, under the lock). Its holder and bank
    as the caller read them (the card's own row is read again, under the lock, once)."""
    card = card_lock_current(card, now=now)
    return card, _already_submitted(requester.user, submission_key)


LOSS_EVENTS: dict[str, str] = {
    LossAction.TEMPORARY: Event.LOSS_TEMPORARY,
    LossAction.FORMAL: Event.LOSS_FORMAL,
    LossAction.CANCEL: Event.LOSS_CANCELLED,
}


@transaction.atomic
def item_enable(
    *,
    requester: Requester,
    card: Card,
    password: str | HashedServicePassword,
    submission_key: Any = None,
    now: datetime | None = None,
) -> Application:
    now = now or timezone.now()
    card, first = _card_for(requester, card, submission_key, now)
    if first is not None:
        return first
    region = region_settings()
    relation = eligibility.relation_for(
        ItemCode.ENABLE, requester, card.person, region, today=timezone.localdate(now)
    )
    eligibility.ensure_trust(Action.ENABLE, requester, region)
    card = card_enable(card=card, password=password, actor=requester.user, now=now)
    application = _create_application(
        item=ItemCode.ENABLE,
        requester=requester,
        subject=card.person,
        relation=relation,
        card=card,
        form_data={},
        status=AppStatus.COMPLETED,
        region=region,
        now=now,
    )
    notify_application(Event.CARD_ENABLED, application, person=card.person, now=now)
    return application


@transaction.atomic
def item_report_loss(
    *,
    requester: Requester,
    card: Card,
    action: str,
    confirmed_irreversible: bool = False,
    submission_key: Any = None,
    now: datetime | None = None,
) -> Application:
    """临时挂失, 正式挂失 or 解挂, taking effect at once. The same submission twice (a
    double click) returns the first application and changes the card once. Where the region
    has 正式挂失 done at the counter (``formal_loss_at_counter``), only staff at the counter
    make it."""
    now = now or timezone.now()
    card, first = _card_for(requester, card, submission_key, now)
    if first is not None:
        return first
    region = region_settings()
    relation = eligibility.relation_for(
        ItemCode.LOSS, requester, card.person, region, today=timezone.localdate(now)
    )
    if action == LossAction.CANCEL:
        eligibility.ensure_trust(Action.CANCEL_LOSS, requester, region)
        card = card_cancel_loss(card=card, actor=requester.user, now=now)
    elif action in (LossAction.TEMPORARY, LossAction.FORMAL):
        if action == LossAction.FORMAL:
            # refused before any step-up: no code or face helps where the counter is the way
            eligibility.ensure_formal_loss_online(requester, region)
        eligibility.ensure_trust(
            Action.TEMPORARY_LOSS if action == LossAction.TEMPORARY else Action.FORMAL_LOSS,
            requester,
            region,
        )
        card = card_report_loss(
            card=card,
            kind=action,
            actor=requester.user,
            confirmed_irreversible=confirmed_irreversible,
            now=now,
        )
    else:
        raise DomainError("请选择挂失、正式挂失或解挂", field="action")
    application = _create_application(
        item=ItemCode.LOSS,
        requester=requester,
        subject=card.person,
        relation=relation,
        card=card,
        form_data={"action": action}
        | (
            {"lapses_at": card.loss_expires_at.isoformat()}
            if action == LossAction.TEMPORARY and card.loss_expires_at
            else {}
        ),
        status=AppStatus.COMPLETED,
        submission_key=submission_key,
        region=region,
        now=now,
    )
    notify_application(LOSS_EVENTS[action], application, person=card.person, card=card, now=now)
    return application


@transaction.atomic
def item_change_contact(
    *,
    requester: Requester,
    person: Person,
    changes: dict[str, str],
    submission_key: Any = None,
    phone_challenge: Any = None,
    now: datetime | None = None,
) -> Application:
    """信息变更, at once. A new phone number is proved first: ``phone_challenge`` names the
    code texted to it (purpose ``new_phone``) that this account has entered; the proof is
    spent here, with the change, so it serves once."""
    first = _already_submitted(requester.user, submission_key)
    if first is not None:
        return first
    now = now or timezone.now()
    region = region_settings()
    relation = eligibility.relation_for(
        ItemCode.CHANGE, requester, person, region, today=timezone.localdate(now)
    )
    eligibility.ensure_trust(Action.CHANGE_INFO, requester, region)
    old_phone = Person.objects.select_for_update().get(pk=person.pk).phone
    first = _already_submitted(requester.user, submission_key)  # one that held the lock
    if first is not None:
        return first
    person = person_change_contact(person=person, changes=changes, actor=requester.user, now=now)
    if person.phone != old_phone and not requester.counter:
        # at a counter the clerk has the person and their document in front of them
        _spend_new_phone_proof(requester.user, phone_challenge, person.phone, now)
    application = _create_application(
        item=ItemCode.CHANGE,
        requester=requester,
        subject=person,
        relation=relation,
        card=None,
        form_data={"fields": sorted(changes)},
        status=AppStatus.COMPLETED,
        submission_key=submission_key,
        region=region,
        now=now,
    )
    notify_application(
        Event.CONTACT_CHANGED,
        application,
        person=person,
        old_phone=old_phone,
        values=contact_placeholders(person, sorted(changes)),
        now=now,
    )
    return application


def _spend_new_phone_proof(user: User, challenge_id: Any, phone: str, now: datetime) -> None:
    try:
        challenge_pk = uuid.UUID(str(challenge_id)) if challenge_id else None
    except ValueError:
        challenge_pk = None
    if challenge_pk is None:
        raise DomainError(
            "更换手机号码需验证新号码：请获取并输入发送至新手机号码的短信验证码",
            field="code",
            code="unproved",
        )
    challenge_spend(
        challenge_id=challenge_pk, purpose=Purpose.NEW_PHONE, user=user, phone=phone, now=now
    )
