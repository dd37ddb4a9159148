"""Writes on cards. Every state change goes through :func:`card_transition`, which locks the
row, checks ``CARD_TRANSITIONS``, writes the history row and the audit record. The row is read
under its lock once a transaction (:mod:`sscard.core.locks`): the card a write returns is held,
and the next write on it in the same transaction reads nothing again."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from sscard.accounts.flags import REASON_NOT_ME, account_flag
from sscard.accounts.models import Person, User
from sscard.audit.services import actor_label, audit_record
from sscard.cards import rules
from sscard.cards.constants import (
    CARD_TRANSITIONS,
    LIVE_STATUSES,
    CardStatus,
    LossKind,
)
from sscard.cards.models import Card, CardHistory
from sscard.cards.notices import card_placeholders
from sscard.core.errors import DomainError, InvalidTransition, refuse_if
from sscard.core.locks import hold, let_go, lock
from sscard.notifications.constants import Event
from sscard.notifications.models import Notification
from sscard.notifications.services import notify
from sscard.notifications.wording import local_time
from sscard.regions.models import Bank
from sscard.regions.selectors import region_settings

EXPIRY_REASON = "临时挂失到期，自动解除"


@transaction.atomic
def card_transition(
    *,
    card: Card,
    to: str,
    actor: User | None,
    reason: str = "",
    now: datetime | None = None,
    **changes: Any,
) -> Card:
    """Move ``card`` to ``to``; the only place a card's status is assigned. ``now`` is the
    time of the change (now by default)."""
    now = now or timezone.now()
    card = lock(card)
    if to not in CARD_TRANSITIONS[card.status]:
        target = dict(CardStatus.choices).get(to, to)
        raise InvalidTransition(
            f"社保卡当前为“{card.get_status_display()}”状态，不能变更为“{target}”"
        )
    let_go(card)  # held again once every write below succeeded
    previous = card.status
    card.status = to
    for name, value in changes.items():
        setattr(card, name, value)
    card.updated_at = now
    card.save(update_fields=["status", *changes, "updated_at"])
    CardHistory.objects.create(
        at=now,
        card=card,
        from_status=previous,
        to_status=to,
        actor_id=getattr(actor, "pk", None),
        actor_label=actor_label(actor),
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=f"card.{to}",
        target=card,
        detail={"card": card.masked_number, "from": previous, "to": to, "reason": reason},
        at=now,
    )
    return hold(card)


def card_lock_current(card: Card, *, now: datetime | None = None) -> Card:
    """The card's row, locked, as it stands now: a temporary loss report past its expiry is
    lifted first, so no decision on the card sees a report that has already ended. Read once
    a transaction, keeping the holder and bank the caller read with it."""
    card = lock(card)
    now = now or timezone.now()
    if card.temporary_loss_ended(now):
        expired_at = card.loss_expires_at
        card = card_transition(
            card=card,
            to=card.status_before_loss,
            actor=None,
            reason=EXPIRY_REASON,
            now=now,
            status_before_loss="",
            loss_expires_at=None,
        )
        notify(
            Event.LOSS_LAPSED,
            person=card.person,
            values=card_placeholders(card) | {"expires_at": local_time(expired_at)},
            now=now,
        )
    return card


def validate_service_password(password: str) -> None:
    """社保服务密码: six digits, not all the same, not an ascending or descending run."""
    if len(password) != 6 or not password.isascii() or not password.isdigit():
        raise DomainError("社保服务密码须为6位数字", field="password")
    if len(set(password)) == 1:
        raise DomainError("社保服务密码不能为6位相同的数字", field="password")
    steps = {int(b) - int(a) for a, b in pairwise(password)}
    if steps in ({1}, {-1}):
        raise DomainError(
            "社保服务密码不能为连续递增或递减的数字（如123456、654321）", field="password"
        )


@dataclass(frozen=True)
class HashedServicePassword:
    """A 社保服务密码 checked and hashed ahead (:func:`service_password_hash`): hashing takes
    about a third of a second, so one hash may serve many cards (the demo's crowd)."""

    encoded: str


def service_password_hash(password: str) -> HashedServicePassword:
    validate_service_password(password)
    return HashedServicePassword(make_password(password))


@transaction.atomic
def card_enable(
    *,
    card: Card,
    password: str | HashedServicePassword,
    actor: User | None,
    now: datetime | None = None,
) -> Card:
    """启用: a sealed card becomes 正常 with its service password set."""
    if not isinstance(password, HashedServicePassword):
        validate_service_password(password)
    card = card_lock_current(card, now=now)
    refuse_if(rules.enable_refusal(card), code="not_sealed")
    return card_transition(
        card=card,
        to=CardStatus.ACTIVE,
        actor=actor,
        reason="启用社保应用",
        now=now,
        service_password=(
            password.encoded
            if isinstance(password, HashedServicePassword)
            else make_password(password)
        ),
    )


@transaction.atomic
def card_report_loss(
    *,
    card: Card,
    kind: str,
    actor: User | None,
    confirmed_irreversible: bool = False,
    now: datetime | None = None,
) -> Card:
    """临时挂失 (expires by itself) or 正式挂失 (irreversible, asked to confirm)."""
    now = now or timezone.now()
    card = card_lock_current(card, now=now)
    if kind == LossKind.TEMPORARY:
        refuse_if(rules.temporary_loss_refusal(card), code="already_lost")
        days = region_settings().temporary_loss_days
        return card_transition(
            card=card,
            to=CardStatus.TEMP_LOST,
            actor=actor,
            reason="临时挂失",
            now=now,
            status_before_loss=card.status,
            loss_expires_at=now + timedelta(days=days),
        )
    if kind == LossKind.FORMAL:
        refuse_if(rules.formal_loss_refusal(card), code="already_lost")
        if not confirmed_irreversible:
            raise DomainError(
                "正式挂失后不能解挂，原卡将无法继续使用，只能办理补卡。请确认后再提交。",
                code="confirm_required",
                field="confirm",
            )
        return card_transition(
            card=card,
            to=CardStatus.LOST,
            actor=actor,
            reason="正式挂失",
            now=now,
            loss_expires_at=None,
            status_before_loss="",
        )
    raise DomainError("请选择挂失方式", field="kind")


@transaction.atomic
def card_cancel_loss(*, card: Card, actor: User | None, now: datetime | None = None) -> Card:
    """解挂: only a temporary loss report is lifted, back to the state before it."""
    card = card_lock_current(card, now=now)
    refuse_if(rules.cancel_loss_refusal(card), code="not_temporarily_lost")
    return card_transition(
        card=card,
        to=card.status_before_loss,
        actor=actor,
        reason="解挂",
        now=now,
        status_before_loss="",
        loss_expires_at=None,
    )


@dataclass
class NotMeOutcome:
    """What a “不是本人操作” report did: the cards it froze now, the cards that were already
    lost (left as they were), the accounts it flagged now and those already flagged."""

    frozen: list[Card] = field(default_factory=list)
    already_lost: list[Card] = field(default_factory=list)
    flagged: int = 0
    already_flagged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.frozen or self.flagged)


@transaction.atomic
def card_report_not_me(*, notification: Notification) -> NotMeOutcome:
    """The holder (or a guardian) says a change told in ``notification`` was not theirs:
    every 正常 or 封存 card of the person goes into 临时挂失, every active account of the
    person is flagged for staff. Cards already lost and accounts already flagged are left as
    they are, so the same report twice changes nothing more."""
    outcome = NotMeOutcome()
    if notification.person_id is None:  # a notice to an employer names no card or account
        return outcome
    person = Person.objects.select_for_update().get(pk=notification.person_id)
    live = (CardStatus.ACTIVE, CardStatus.SEALED, CardStatus.TEMP_LOST, CardStatus.LOST)
    for card in Card.objects.filter(person=person, status__in=live).order_by("pk"):
        card = card_lock_current(card)  # an expired temporary report is lifted first
        if card.status in (CardStatus.ACTIVE, CardStatus.SEALED):
            card = card_report_loss(card=card, kind=LossKind.TEMPORARY, actor=None)
            outcome.frozen.append(card)
        else:
            outcome.already_lost.append(card)
    for user in User.objects.filter(person=person, is_active=True).order_by("pk"):
        if account_flag(user=user, reason=REASON_NOT_ME, actor=None):
            outcome.flagged += 1
        else:
            outcome.already_flagged += 1
    if outcome.changed:
        audit_record(
            actor=None,
            action="report.not_me",
            target=person,
            detail={
                "notification": notification.pk,
                "event": notification.event,
                "frozen": [card.masked_number for card in outcome.frozen],
                "flagged": outcome.flagged,
            },
        )
    for card in outcome.frozen:
        notify(Event.LOSS_TEMPORARY, person=person, values=card_placeholders(card))
    return outcome


def card_expire_temporary_losses(*, now: datetime | None = None) -> int:
    """Lift every temporary loss report past its expiry; safe to run often and twice."""
    now = now or timezone.now()
    due = Card.objects.filter(status=CardStatus.TEMP_LOST, loss_expires_at__lte=now)
    lifted = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            card = Card.objects.select_for_update().get(pk=pk)
            before = card.status
            if card_lock_current(card, now=now).status != before:
                lifted += 1
    return lifted


def _new_card_number() -> str:
    return secrets.choice(string.ascii_uppercase) + "".join(
        secrets.choice(string.digits) for _ in range(8)
    )


@transaction.atomic
def card_create_for_production(
    *, person: Person, bank: Bank, actor: User | None, now: datetime | None = None
) -> Card:
    """A new card, with a new number unique in the issuing area, to be produced."""
    now = now or timezone.now()
    area = region_settings().region_code
    if Card.objects.filter(person=person, status=CardStatus.PRODUCING).exists():
        raise DomainError("该人员已有正在制作的社保卡", code="already_producing")
    for _attempt in range(10):
        number = _new_card_number()
        try:
            with transaction.atomic():
                card = Card.objects.create(
                    person=person,
                    number=number,
                    issuing_area=area,
                    bank=bank,
                    status=CardStatus.PRODUCING,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            if Card.objects.filter(issuing_area=area, number=number).exists():
                continue
            raise DomainError("该人员已有正在制作的社保卡", code="already_producing") from None
        CardHistory.objects.create(
            at=now,
            card=card,
            to_status=CardStatus.PRODUCING,
            actor_id=getattr(actor, "pk", None),
            actor_label=actor_label(actor),
            reason="新卡制作",
        )
        audit_record(
            actor=actor,
            action="card.created",
            target=card,
            detail={"card": card.masked_number},
            at=now,
        )
        return card
    raise DomainError("卡号生成失败，请稍后重试", code="number_exhausted")  # pragma: no cover


@transaction.atomic
def card_issue(
    *, card: Card, actor: User | None, on: date | None = None, now: datetime | None = None
) -> Card:
    """The produced card reaches its holder: 封存 until the holder enables it."""
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    years = region_settings().card_validity_years
    try:
        expires = on.replace(year=on.year + years)
    except ValueError:  # 29 February
        expires = on.replace(year=on.year + years, day=28)
    live = Card.objects.filter(person_id=card.person_id, status__in=LIVE_STATUSES)
    if live.exclude(pk=card.pk).exists():
        raise DomainError("持卡人仍有未注销的社保卡，新卡不能发放", code="live_card_exists")
    return card_transition(
        card=card,
        to=CardStatus.SEALED,
        actor=actor,
        reason="领卡",
        now=now,
        issued_on=on,
        expires_on=expires,
    )


@transaction.atomic
def card_cancel(
    *, card: Card, actor: User | None, reason: str, now: datetime | None = None
) -> Card:
    return card_transition(
        card=card,
        to=CardStatus.CANCELLED,
        actor=actor,
        reason=reason,
        now=now,
        loss_expires_at=None,
    )


@transaction.atomic
def card_set_bank_account(*, card: Card, account: str, by: str) -> bool:
    """The bank reports the account it opened behind the card's 金融应用 (as it sends it:
    often masked already); False when it is the one already recorded."""
    card = lock(card)
    if card.bank_account == account:
        return False
    let_go(card)
    card.bank_account = account
    card.updated_at = timezone.now()
    card.save(update_fields=["bank_account", "updated_at"])
    audit_record(
        actor=None,
        action="card.bank_account",
        target=card,
        detail={"card": card.masked_number, "account": card.masked_bank_account, "by": by},
    )
    hold(card)
    return True
