"""电子社保卡: a code only for a card in use, for its holder or their guardian, at L3+; and a
verifier's answer for every kind of code — valid once, then replayed; expired; a card not
usable; an unknown key; a bad signature; garbage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from sscard.accounts.trust import StepUpRequired, TrustLevel
from sscard.audit.models import AuditRecord
from sscard.cards.constants import CardStatus
from sscard.core import signing
from sscard.core.errors import NotFound
from sscard.ecard.services import (
    TOKEN_TYPE,
    CardNotUsable,
    Outcome,
    TooManyShows,
    ecard_card,
    ecard_cards,
    ecard_show,
    ecard_verify,
    holder_hash,
)
from sscard.testing.factories import (
    CardFactory,
    GuardianshipFactory,
    MaterialFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.factories.people import requester_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    user = UserFactory()
    card = CardFactory(person=user.person)
    return user, card


def _verify(token, *, verifier="staff:1", now=None):
    return ecard_verify(token=token, verifier=verifier, actor=None, now=now)


def test_a_code_verifies_once_per_verifier_and_then_is_a_replay(holder):
    user, card = holder
    shown = ecard_show(requester=requester_for(user, TrustLevel.L3_PLUS), card=card)
    assert shown.expires_at - shown.issued_at == timedelta(seconds=60)
    first = _verify(shown.token)
    assert first.outcome == Outcome.VALID
    assert first.masked_name == user.person.masked_name and user.person.name not in str(first)
    again = _verify(shown.token)
    assert again.outcome == Outcome.REPLAYED and "不能重复使用" in again.message
    # another verifier (a bank's system) may still check it within its minute
    assert _verify(shown.token, verifier="partner:B1").outcome == Outcome.VALID
    audits = AuditRecord.objects.filter(action="ecard.verify").values_list("result", flat=True)
    assert sorted(audits) == ["ok", "ok", "refused"]
    assert AuditRecord.objects.filter(action="ecard.show", target_id=str(card.pk)).count() == 1


def test_a_code_past_its_minute_is_expired(holder):
    user, card = holder
    shown = ecard_show(requester=requester_for(user), card=card)
    later = timezone.now() + timedelta(seconds=61)
    answer = _verify(shown.token, now=later)
    assert answer.outcome == Outcome.EXPIRED and "已过期" in answer.message


def test_a_code_for_a_card_reported_lost_says_the_card_is_not_usable(holder):
    user, card = holder
    shown = ecard_show(requester=requester_for(user), card=card)
    assert _verify(shown.token).outcome == Outcome.VALID
    card.status, card.status_before_loss = CardStatus.TEMP_LOST, CardStatus.ACTIVE
    card.loss_expires_at = timezone.now() + timedelta(days=7)
    card.save()
    answer = _verify(shown.token)
    assert answer.outcome == Outcome.CARD_NOT_USABLE and "临时挂失" in answer.message
    card.status = CardStatus.CANCELLED
    card.save()
    assert "注销" in _verify(shown.token).message


def test_a_code_signed_by_an_unknown_key_or_forged_or_garbage_is_refused_with_its_reason(holder):
    user, card = holder
    payload = {"card": card.pk, "hh": holder_hash(user.person), "iat": 0, "exp": 60, "nonce": "n"}
    stranger = signing.Ed25519Signer("zz9", Ed25519PrivateKey.generate())
    unknown = _verify(signing.sign_token(payload, typ=TOKEN_TYPE, signer=stranger))
    assert unknown.outcome == Outcome.UNKNOWN_KEY and "密钥未知" in unknown.message
    impostor = signing.Ed25519Signer("ts2", Ed25519PrivateKey.generate())
    forged = _verify(signing.sign_token(payload, typ=TOKEN_TYPE, signer=impostor))
    assert forged.outcome == Outcome.BAD_SIGNATURE and "伪造" in forged.message
    for garbage in ["", "hello", "a.b.c", "😀" * 10, "x" * 10_000]:
        answer = _verify(garbage)
        assert answer.outcome == Outcome.MALFORMED and "无法识别" in answer.message
    # a receipt's code is signed by us but is no e-card
    other = _verify(signing.sign_token(payload, typ="sscard-receipt+jws"))
    assert other.outcome == Outcome.MALFORMED
    # signed by us for a card, but for somebody else's holder hash
    wrong_holder = _verify(signing.sign_token({**payload, "hh": "x"}, typ=TOKEN_TYPE))
    assert wrong_holder.outcome == Outcome.UNKNOWN_CARD


@pytest.mark.parametrize(
    ("trait", "words"),
    [
        ("sealed", "请先启用"),
        ("lost_temporarily", "临时挂失"),
        ("lost_formally", "正式挂失"),
        ("cancelled", "注销"),
        ("producing", "制作中"),
    ],
)
def test_a_card_not_in_use_gets_no_code_and_says_why(trait, words):
    user = UserFactory()
    card = CardFactory(person=user.person, **{trait: True})
    with pytest.raises(CardNotUsable) as refused:
        ecard_show(requester=requester_for(user), card=card)
    assert words in refused.value.message
    refusal = AuditRecord.objects.get(action="ecard.show")
    assert refusal.result == "refused"


def test_the_code_needs_a_code_to_the_phone_on_file_after_a_password_login(holder):
    user, card = holder
    with pytest.raises(StepUpRequired):
        ecard_show(requester=requester_for(user, TrustLevel.L3), card=card)
    with pytest.raises(StepUpRequired):
        ecard_cards(requester=requester_for(user, TrustLevel.L3))


def test_opening_and_refreshing_is_rate_limited(holder):
    user, card = holder
    requester = requester_for(user)
    now = timezone.now().replace(minute=0, second=1)  # inside one window of the counter
    for _ in range(40):
        ecard_show(requester=requester, card=card, now=now)
    with pytest.raises(TooManyShows) as refused:
        ecard_show(requester=requester, card=card, now=now)
    assert "秒后再试" in refused.value.message


def test_a_guardians_page_kept_open_refreshes_every_card_it_shows(holder):
    user, card = holder
    wards = [GuardianshipFactory(guardian=user.person).ward for _ in range(3)]
    cards = [card, *(CardFactory(person=ward) for ward in wards)]
    requester = requester_for(user)
    start = timezone.now().replace(minute=0, second=1)  # inside one window of the counter
    # ten minutes open: the page, then a new code for each card every 50 seconds
    for tick in range(12):
        for shown in cards:
            now = start + timedelta(seconds=50 * tick)
            assert ecard_show(requester=requester, card=shown, now=now).token
    # each card still has its own limit
    for _ in range(40 - 12):
        ecard_show(requester=requester, card=card, now=start)
    with pytest.raises(TooManyShows):
        ecard_show(requester=requester, card=card, now=start)
    assert ecard_show(requester=requester, card=cards[1], now=start).token


def test_a_guardian_sees_the_cards_of_the_minors_in_their_care_and_nobody_elses(holder):
    user, card = holder
    ward = GuardianshipFactory(guardian=user.person).ward
    ward_card = CardFactory(person=ward)
    old = CardFactory(person=user.person, cancelled=True)
    stranger = CardFactory()
    requester = requester_for(user)
    assert ecard_cards(requester=requester) == [card, ward_card]  # the cancelled one is not
    assert ecard_show(requester=requester, card=ward_card).token
    assert ecard_card(requester=requester, card_id=old.pk) == old
    with pytest.raises(NotFound):
        ecard_card(requester=requester, card_id=stranger.pk)


def test_a_valid_answer_carries_the_holders_card_photo(holder):
    user, card = holder
    photo = MaterialFactory(application__subject=user.person, person=user.person)
    shown = ecard_show(requester=requester_for(user), card=card)
    assert _verify(shown.token).photo_id == photo.pk


def test_the_staff_verification_is_audited_with_the_verifier():
    clerk = StaffFactory(role="clerk")
    answer = ecard_verify(token="garbage", verifier=f"staff:{clerk.pk}", actor=clerk)
    assert answer.outcome == Outcome.MALFORMED
    record = AuditRecord.objects.get(action="ecard.verify")
    assert record.actor_id == clerk.pk and record.detail["outcome"] == "malformed"
