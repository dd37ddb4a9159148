"""A bank's system verifies a holder's 电子社保卡 code: signed like every partner request, one
answer for each kind of code, the photo with a valid one, once per partner."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from sscard.ecard.services import TOKEN_TYPE, ecard_show
from sscard.partners.tests.helpers import call
from sscard.testing.factories import CardFactory, MaterialFactory, UserFactory
from sscard.testing.factories.people import requester_for
from sscard.testing.tokens import crafted_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown():
    user = UserFactory()
    card = CardFactory(person=user.person)
    MaterialFactory(application__subject=user.person, person=user.person)
    return user, card, ecard_show(requester=requester_for(user), card=card)


def test_a_valid_code_answers_with_the_masked_holder_and_photo_then_replayed(
    client, bank_partner, shown
):
    user, _card, code = shown
    first = call(client, bank_partner, "POST", "/ecard/verify", {"token": code.token})
    assert first.status_code == 200
    body = first.json()
    assert body["outcome"] == "valid" and body["valid"] is True
    assert body["masked_name"] == user.person.masked_name and user.person.name not in str(body)
    assert base64.b64decode(body["photo_base64"]).startswith(b"\xff\xd8")
    again = call(client, bank_partner, "POST", "/ecard/verify", {"token": code.token}).json()
    assert again["outcome"] == "replayed" and again["photo_base64"] is None
    assert "不能重复使用" in again["message"]


def test_expired_garbage_and_a_lost_card_each_get_their_answer(client, bank_partner, shown):
    _, card, code = shown
    garbage = call(client, bank_partner, "POST", "/ecard/verify", {"token": "not a code"})
    assert garbage.status_code == 200 and garbage.json()["outcome"] == "malformed"
    with time_machine.travel(timezone.now() + timedelta(seconds=90)):
        late = call(client, bank_partner, "POST", "/ecard/verify", {"token": code.token})
    assert late.json()["outcome"] == "expired"
    card.status = "lost"
    card.save()
    lost = call(client, bank_partner, "POST", "/ecard/verify", {"token": code.token}).json()
    assert lost["outcome"] == "card_not_usable" and "正式挂失" in lost["message"]


def test_an_unsigned_request_is_refused(client, shown):
    _, _, code = shown
    answer = client.post(
        "/partner/api/v1/ecard/verify", {"token": code.token}, content_type="application/json"
    )
    assert answer.status_code == 401


CRAFTED = crafted_tokens(TOKEN_TYPE)


@pytest.mark.parametrize("token", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_code_gets_the_answer_not_ours_never_an_error(client, bank_partner, token):
    answer = call(client, bank_partner, "POST", "/ecard/verify", {"token": token})
    assert answer.status_code == 200
    body = answer.json()
    assert body["outcome"] in {"malformed", "unknown_key"} and body["valid"] is False
    assert body["masked_name"] == "" and body["photo_base64"] is None
