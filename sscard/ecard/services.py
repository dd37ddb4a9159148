"""电子社保卡: the holder's QR code (亮码) and its verification.

A code is a compact JWS (``sscard.core.signing``, ``typ`` :data:`TOKEN_TYPE`) of::

    {"card": <card id>, "hh": <holder hash>, "iat": <unix seconds>, "exp": iat + 60,
     "nonce": <random>}

``hh`` is a keyed hash of the holder's identity (``SSCARD_INDEX_KEY``): it binds the code to
the person without saying who they are, to anyone without the key. A code is issued only for a
card whose 社保应用 is 正常; each issue is rate-limited (per account and card) and audited. A
verifier (a member of staff, a partner system) gets one answer of :class:`Outcome`; a code
verifies once per verifier within its minute.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sscard.accounts.models import Person
from sscard.accounts.trust import Action, Requester, ensure_trust
from sscard.applications.constants import MaterialKind
from sscard.applications.models import Material
from sscard.applications.selectors import cards_for_requester
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.cards.selectors import card_effective_status
from sscard.core import crypto, signing
from sscard.core.errors import DomainError, NotFound
from sscard.core.ratelimit import Limit, limit_hit
from sscard.ecard.models import TokenUse

TOKEN_TYPE = "sscard-ecard+jws"  # noqa: S105 — the JWS "typ", not a secret
VALID_SECONDS = 60
# a phone's clock may run a little ahead of ours: a code "issued" this far in the future is
# still taken
CLOCK_SKEW_SECONDS = 30
# opening 我的电子社保卡 and each refresh (every 50 seconds while it is open), counted per
# account and card — a guardian's page refreshes the code of each card it shows: 40 in 10
# minutes is a page kept open the whole time, and some reloads
SHOW_LIMIT = Limit(count=40, seconds=600)

# Why a card shows no code, in the holder's words (the guide's).
NOT_USABLE: dict[str, str] = {
    CardStatus.PRODUCING: "该卡正在制作中，领卡并启用后可使用电子社保卡",
    CardStatus.SEALED: "该卡尚未启用（封存），请先启用",
    CardStatus.TEMP_LOST: "该卡已临时挂失，暂停使用；解挂后可继续使用电子社保卡",
    CardStatus.LOST: "该卡已正式挂失，暂停使用；请办理补卡",
    CardStatus.CANCELLED: "该卡已注销，不能使用",
}


class Outcome(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REPLAYED = "replayed"
    CARD_NOT_USABLE = "card_not_usable"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_CARD = "unknown_card"
    MALFORMED = "malformed"


# What the verifier reads for each answer.
MESSAGES: dict[Outcome, str] = {
    Outcome.VALID: "核验通过：电子社保卡有效，请核对持卡人本人与照片",
    Outcome.EXPIRED: "二维码已过期（有效期60秒），请持卡人刷新后重新出示",
    Outcome.REPLAYED: "该二维码已核验过，不能重复使用，请持卡人刷新后重新出示",
    Outcome.CARD_NOT_USABLE: "该社保卡当前不可用",
    Outcome.UNKNOWN_KEY: "二维码的签名密钥未知，不是本系统签发的电子社保卡",
    Outcome.BAD_SIGNATURE: "二维码签名无效，可能是伪造或被篡改的电子社保卡",
    Outcome.UNKNOWN_CARD: "二维码所指的社保卡不存在，不是本系统签发的电子社保卡",
    Outcome.MALFORMED: "无法识别的二维码内容，不是电子社保卡二维码",
}


class TooManyShows(DomainError):
    def __init__(self, wait: int) -> None:
        super().__init__(f"刷新过于频繁，请{wait}秒后再试", code="rate_limited")
        self.wait = wait


class CardNotUsable(DomainError):
    def __init__(self, status: str) -> None:
        super().__init__(NOT_USABLE.get(status, "该卡当前不可用"), code="card_not_usable")
        self.status = status


@dataclass(frozen=True)
class ShownCode:
    token: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    message: str
    masked_name: str = ""
    masked_number: str = ""
    card_status: str = ""  # the label, for a card not usable
    photo_id: int | None = None  # the holder's card photo, for the clerk to compare

    @property
    def valid(self) -> bool:
        return self.outcome == Outcome.VALID


def holder_hash(person: Person) -> str:
    """The code's ``hh``: a keyed hash of who holds the card (22 characters)."""
    return crypto.blind_index(person.identity_hash, purpose="ecard-holder")[:22]


def ecard_cards(*, requester: Requester) -> list[Card]:
    """The cards 我的电子社保卡 shows: the holder's own and those of the minors in their care,
    one a person — the live card, or the last one when there is none (a 注销 card shows why)."""
    ensure_trust(Action.ECARD, requester)
    chosen: dict[int, Card] = {}
    for card in cards_for_requester(requester, include_cancelled=True):
        kept = chosen.get(card.person_id)
        if kept is None or (
            kept.status == CardStatus.CANCELLED and card.status != CardStatus.CANCELLED
        ):
            chosen[card.person_id] = card
    own = requester.user.person_id
    return sorted(chosen.values(), key=lambda c: (c.person_id != own, c.person_id))


def ecard_card(*, requester: Requester, card_id: int) -> Card:
    """One card 我的电子社保卡 may show to ``requester`` (their own, or a minor's in their
    care); :class:`NotFound` otherwise — before any step-up, which is asked only for a card
    the requester may see (so it tells nobody else that the card exists)."""
    found = cards_for_requester(requester, card_id=card_id, include_cancelled=True)
    if not found:
        raise NotFound("未找到该社保卡")
    ensure_trust(Action.ECARD, requester)
    return found[0]


def ecard_show(*, requester: Requester, card: Card, now: datetime | None = None) -> ShownCode:
    """A fresh code for ``card`` (opening 我的电子社保卡 or refreshing it): the holder's or a
    guardian's, at the trust level the region sets for 亮码, within the rate limit, audited."""
    now = now or timezone.now()
    ensure_trust(Action.ECARD, requester)
    user = requester.user
    wait = limit_hit("ecard-show", f"{user.pk}:{card.pk}", SHOW_LIMIT, now=now.timestamp())
    if wait:
        audit_record(
            actor=user,
            action="ecard.show",
            target=card,
            detail={"refused": "rate_limited"},
            result=AuditRecord.Result.REFUSED,
            at=now,
        )
        raise TooManyShows(wait)
    status = card_effective_status(card, now=now)
    if status != CardStatus.ACTIVE:
        audit_record(
            actor=user,
            action="ecard.show",
            target=card,
            detail={"refused": "card_not_usable", "status": status},
            result=AuditRecord.Result.REFUSED,
            at=now,
        )
        raise CardNotUsable(status)
    issued = int(now.timestamp())
    token = signing.sign_token(
        {
            "card": card.pk,
            "hh": holder_hash(card.person),
            "iat": issued,
            "exp": issued + VALID_SECONDS,
            "nonce": secrets.token_urlsafe(12),
        },
        typ=TOKEN_TYPE,
    )
    audit_record(
        actor=user,
        action="ecard.show",
        target=card,
        detail={"for": "self" if card.person_id == user.person_id else "ward"},
        at=now,
    )
    return ShownCode(
        token=token,
        issued_at=datetime.fromtimestamp(issued, tz=now.tzinfo),
        expires_at=datetime.fromtimestamp(issued + VALID_SECONDS, tz=now.tzinfo),
    )


def _card_photo(person: Person) -> int | None:
    photo = (
        Material.objects.filter(person=person, kind=MaterialKind.PHOTO, removed_at__isnull=True)
        .exclude(file="")
        .order_by("-created_at")
        .values_list("pk", flat=True)
        .first()
    )
    return photo


def _answer(outcome: Outcome, card: Card | None = None, **extra: Any) -> Verification:
    message = MESSAGES[outcome]
    if card is None:
        return Verification(outcome=outcome, message=message, **extra)
    return Verification(
        outcome=outcome,
        message=message,
        masked_name=card.person.masked_name,
        masked_number=card.masked_number,
        **extra,
    )


def ecard_verify(
    *, token: str, verifier: str, actor: Any, now: datetime | None = None
) -> Verification:
    """What a scanned code says, for ``verifier`` (``staff:<id>``, ``partner:<code>``): the
    signature and key first, then the card (a code for a card reported lost or cancelled says
    so, whatever its age: that is what the verifier must know first), then its minute, then
    whether this verifier has seen it. Every answer is audited with the verifier."""
    now = now or timezone.now()
    verification, card = _check(token, verifier=verifier, now=now)
    audit_record(
        actor=actor,
        action="ecard.verify",
        target=card,
        detail={
            "verifier": verifier,
            "outcome": str(verification.outcome),
            "key": signing.token_key_id(token)[:32],
        },
        result=AuditRecord.Result.OK if verification.valid else AuditRecord.Result.REFUSED,
        at=now,
    )
    return verification


def _check(token: str, *, verifier: str, now: datetime) -> tuple[Verification, Card | None]:
    try:
        payload = signing.verify_token(token, typ=TOKEN_TYPE)
    except signing.TokenError as refused:
        outcome = {
            signing.UNKNOWN_KEY: Outcome.UNKNOWN_KEY,
            signing.BAD_SIGNATURE: Outcome.BAD_SIGNATURE,
        }.get(refused.code, Outcome.MALFORMED)
        return _answer(outcome), None
    card_id, issued, expires, nonce = (payload.get(k) for k in ("card", "iat", "exp", "nonce"))
    if not (
        isinstance(card_id, int)
        and isinstance(issued, int)
        and isinstance(expires, int)
        and isinstance(nonce, str)
        and 0 < len(nonce) <= 40
    ):
        return _answer(Outcome.MALFORMED), None
    card = Card.objects.select_related("person").filter(pk=card_id).first()
    if card is None or payload.get("hh") != holder_hash(card.person):
        return _answer(Outcome.UNKNOWN_CARD), None
    status = card_effective_status(card, now=now)
    if status != CardStatus.ACTIVE:
        answer = _answer(Outcome.CARD_NOT_USABLE, card, card_status=CardStatus(status).label)
        message = f"{answer.message}（{answer.card_status}），不能作为有效社保卡使用"
        return Verification(**{**answer.__dict__, "message": message}), card
    stamp = now.timestamp()
    if expires < stamp or expires - issued > VALID_SECONDS or issued > stamp + CLOCK_SKEW_SECONDS:
        return _answer(Outcome.EXPIRED, card), card
    if not _first_use(verifier, nonce, card, expires_at=now + timedelta(seconds=expires - stamp)):
        return _answer(Outcome.REPLAYED, card), card
    return _answer(Outcome.VALID, card, photo_id=_card_photo(card.person)), card


def _first_use(verifier: str, nonce: str, card: Card, *, expires_at: datetime) -> bool:
    """Record that ``verifier`` has seen the code; False when it had already. The unique
    constraint decides between two verifications at once."""
    TokenUse.objects.filter(expires_at__lt=timezone.now() - timedelta(minutes=5)).delete()
    try:
        with transaction.atomic():
            TokenUse.objects.create(
                verifier=verifier[:80], nonce=nonce, card_id=card.pk, expires_at=expires_at
            )
    except IntegrityError:
        return False
    return True
