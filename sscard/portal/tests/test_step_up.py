"""Stepping up to L3+ with a code to the phone on file: the irreversible and
the account-changing items ask for it after a password login, the code works once and for
five minutes, and the person comes back to what they had chosen."""

from __future__ import annotations

import uuid

import pytest
import time_machine
from django.utils import timezone

from sscard.accounts.trust import TrustLevel
from sscard.applications.models import Application
from sscard.audit.models import AuditRecord
from sscard.cards.constants import CardStatus
from sscard.portal.tests.helpers import item_url
from sscard.testing.factories import CardFactory, UserFactory
from sscard.testing.sessions import sign_in
from sscard.testing.sms import code_sent_to, texts_to

VERIFY = "/verify/sms/"
FORMAL = {"action": "formal", "confirm_irreversible": "on"}


@pytest.fixture
def holder(db, client, texts):
    user = UserFactory()
    sign_in(client, user, TrustLevel.L3)
    return user


def _formal_loss_asks_step_up(client, card) -> str:
    url = item_url("loss", f"card-{card.pk}")
    answer = client.post(url, {**FORMAL, "token": str(uuid.uuid4())})
    assert answer.status_code == 403
    html = answer.content.decode()
    assert "短信验证码验证" in html and "开始人脸识别验证" in html
    return url


def test_a_formal_loss_at_l3_steps_up_by_a_code_to_the_phone_on_file_and_comes_back(client, holder):
    card = CardFactory(person=holder.person)
    url = _formal_loss_asks_step_up(client, card)
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE and not Application.objects.exists()

    page = client.get(VERIFY, {"next": url}).content.decode()
    assert holder.person.masked_phone in page and holder.person.phone not in page
    sent = client.post(VERIFY, {"action": "send", "next": url})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    code = code_sent_to(holder.person.phone)

    done = client.post(VERIFY, {"action": "verify", "code": code, "next": url})
    assert done.status_code == 302 and done["Location"] == url
    assert client.session["trust"] == TrustLevel.L3_PLUS
    # back on the item's page the choice made before the step-up is still made
    back = client.get(url).content.decode()
    assert 'value="formal" id="a-formal" checked' in back or (
        'value="formal"' in back and "checked" in back.split('value="formal"')[1][:40]
    )
    confirm = client.post(url, {**FORMAL, "token": str(uuid.uuid4())})
    assert confirm.status_code == 302
    assert client.post(confirm["Location"]).status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.LOST
    assert AuditRecord.objects.filter(action="identity.step_up").exists()


def test_the_code_works_once(client, holder):
    client.post(VERIFY, {"action": "send"})
    challenge = client.session["step_up_challenge"]
    code = code_sent_to(holder.person.phone)
    assert client.post(VERIFY, {"action": "verify", "code": code}).status_code == 302
    # a new login at L3 replaying the same challenge and code
    sign_in(client, holder, TrustLevel.L3)
    session = client.session
    session["step_up_challenge"] = challenge
    session.save()
    again = client.post(VERIFY, {"action": "verify", "code": code})
    assert again.status_code == 400
    assert client.session["trust"] == TrustLevel.L3


def test_five_wrong_codes_void_it(client, holder):
    client.post(VERIFY, {"action": "send"})
    code = code_sent_to(holder.person.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    messages = [
        client.post(VERIFY, {"action": "verify", "code": wrong}).content.decode() for _ in range(5)
    ]
    assert "还可尝试4次" in messages[0] and "已失效" in messages[4]
    late = client.post(VERIFY, {"action": "verify", "code": code})
    assert late.status_code == 400 and "已失效" in late.content.decode()
    assert client.session["trust"] == TrustLevel.L3
    assert AuditRecord.objects.filter(action="sms_code.failed").count() == 5


def test_a_code_expires_after_five_minutes(client, holder):
    client.post(VERIFY, {"action": "send"})
    code = code_sent_to(holder.person.phone)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=5, seconds=1)):
        late = client.post(VERIFY, {"action": "verify", "code": code})
    assert late.status_code == 400 and "已失效" in late.content.decode()


def test_sending_is_limited_to_one_a_minute_with_the_wait_shown(client, holder):
    client.post(VERIFY, {"action": "send"})
    again = client.post(VERIFY, {"action": "send"})
    assert again.status_code == 429
    assert "秒后再获取验证码" in again.content.decode()
    assert len(texts_to(holder.person.phone)) == 1


def test_a_failing_gateway_says_so_and_changes_nothing(client, holder, settings):
    settings.SSCARD_SMS_BACKEND = "sscard.notifications.backends.HttpSmsBackend"
    settings.SSCARD_SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # nothing listens there
    answer = client.post(VERIFY, {"action": "send"})
    assert answer.status_code == 503
    assert "短信发送失败，请稍后重新获取验证码" in answer.content.decode()
    assert client.session["trust"] == TrustLevel.L3


def test_without_a_phone_on_file_only_face_verification_is_offered(client, holder):
    holder.person.phone = ""
    holder.person.save()
    card = CardFactory(person=holder.person)
    answer = client.post(
        item_url("loss", f"card-{card.pk}"), {**FORMAL, "token": str(uuid.uuid4())}
    )
    html = answer.content.decode()
    assert answer.status_code == 403 and "没有预留手机号码" in html
    assert "短信验证码验证" not in html


def test_lifting_a_loss_still_needs_the_face(client, holder):
    card = CardFactory(person=holder.person, lost_temporarily=True)
    sign_in(client, holder, TrustLevel.L3_PLUS)
    answer = client.post(
        item_url("loss", f"card-{card.pk}"), {"action": "cancel", "token": str(uuid.uuid4())}
    )
    html = answer.content.decode()
    assert answer.status_code == 403 and "人脸识别" in html and "短信验证码验证" not in html
