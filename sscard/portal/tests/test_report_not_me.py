"""“不是本人操作？”: the link in every security notice opens, without logging in, a page that
explains and, once confirmed, freezes the person's cards (临时挂失) and flags their accounts
for staff — once, however often it is posted. A tampered or expired link changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone

from sscard.accounts.flags import REASON_NOT_ME
from sscard.audit.models import AuditRecord
from sscard.cards.constants import CardStatus
from sscard.notifications.constants import Event
from sscard.notifications.models import Message
from sscard.notifications.reports import report_token
from sscard.notifications.services import notify_account_event
from sscard.testing.factories import CardFactory, GuardianshipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(citizen):
    """A password change told to the citizen, who has a card in use and an old cancelled one
    (one live card per person)."""
    cards = {
        "active": CardFactory(person=citizen.person),
        "cancelled": CardFactory(person=citizen.person, cancelled=True),
    }
    notification = notify_account_event(Event.PASSWORD_CHANGED, user=citizen, person=citizen.person)
    return notification, cards


def url(notification) -> str:
    return f"/report/{report_token(notification)}/"


def statuses(cards) -> dict[str, str]:
    return {key: type(card).objects.get(pk=card.pk).status for key, card in cards.items()}


def test_the_page_explains_without_a_login_and_is_never_cached(told, citizen):
    notification, cards = told

    response = Client().get(url(notification))

    assert response.status_code == 200
    text = response.content.decode()
    assert "登录密码修改" in text and "临时挂失" in text and citizen.person.masked_name in text
    assert citizen.person.name not in text
    assert "no-store" in response["Cache-Control"]
    assert statuses(cards)["active"] == CardStatus.ACTIVE  # opening it changes nothing


def test_posting_without_the_confirmation_changes_nothing(told, citizen):
    notification, cards = told

    response = Client().post(url(notification), {})

    assert response.status_code == 400
    assert "请勾选确认后再提交" in response.content.decode()
    assert statuses(cards)["active"] == CardStatus.ACTIVE
    citizen.refresh_from_db()
    assert citizen.flagged_at is None


def test_a_confirmed_report_freezes_live_cards_flags_accounts_and_says_what_next(told, citizen):
    notification, cards = told

    response = Client().post(url(notification), {"confirm": "yes"})

    assert response.status_code == 200
    assert statuses(cards) == {"active": CardStatus.TEMP_LOST, "cancelled": CardStatus.CANCELLED}
    citizen.refresh_from_db()
    assert citizen.flagged_at is not None and citizen.flag_reason == REASON_NOT_ME
    text = response.content.decode()
    assert cards["active"].masked_number in text and "12333" in text and "人脸识别" in text
    record = AuditRecord.objects.get(action="report.not_me")
    assert record.detail["notification"] == notification.pk
    assert record.detail["frozen"] == [cards["active"].masked_number]
    # the freeze is itself told, as a 临时挂失
    assert Message.objects.filter(notification__event=Event.LOSS_TEMPORARY).exists()


@pytest.mark.parametrize(
    ("state", "after"),
    [
        ({"sealed": True}, CardStatus.TEMP_LOST),
        ({"lost_temporarily": True}, CardStatus.TEMP_LOST),
        ({"lost_formally": True}, CardStatus.LOST),
    ],
    ids=["sealed", "temporarily-lost", "formally-lost"],
)
def test_a_sealed_card_is_frozen_and_a_lost_one_left_as_it_is(citizen, state, after):
    card = CardFactory(person=citizen.person, **state)
    before = card.loss_expires_at
    notification = notify_account_event(Event.ACCOUNT_LINKED, user=citizen, person=citizen.person)

    Client().post(url(notification), {"confirm": "yes"})

    card.refresh_from_db()
    assert card.status == after
    if "lost_temporarily" in state:
        assert card.loss_expires_at == before  # its report is not renewed
    citizen.refresh_from_db()
    assert citizen.flagged_at is not None


def test_a_second_report_changes_nothing_more(told, citizen):
    notification, cards = told
    Client().post(url(notification), {"confirm": "yes"})
    citizen.refresh_from_db()
    first = (citizen.flagged_at, type(cards["active"]).objects.get(pk=cards["active"].pk))
    records, messages = AuditRecord.objects.count(), Message.objects.count()

    response = Client().post(url(notification), {"confirm": "yes"})

    assert response.status_code == 200 and "本次未再作变更" in response.content.decode()
    citizen.refresh_from_db()
    again = type(cards["active"]).objects.get(pk=cards["active"].pk)
    assert citizen.flagged_at == first[0]
    assert again.loss_expires_at == first[1].loss_expires_at
    assert AuditRecord.objects.count() == records and Message.objects.count() == messages


def test_a_guardian_reporting_a_minors_notice_freezes_the_minors_card_and_flags_their_account():
    link = GuardianshipFactory()
    guardian, ward = UserFactory(person=link.guardian), UserFactory(person=link.ward)
    ward_card, guardian_card = CardFactory(person=link.ward), CardFactory(person=link.guardian)
    notification = notify_account_event(Event.WECHAT_BOUND, user=ward, person=ward.person)

    Client().post(url(notification), {"confirm": "yes"})

    ward_card.refresh_from_db(), guardian_card.refresh_from_db()
    assert ward_card.status == CardStatus.TEMP_LOST
    assert guardian_card.status == CardStatus.ACTIVE  # the notice was about the minor
    ward.refresh_from_db(), guardian.refresh_from_db()
    assert ward.flagged_at is not None and guardian.flagged_at is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        # another notification's ids, under this token's signature
        lambda token: signing.b64_encode(b"[999999,999999]").decode() + token[token.index(":") :],
        lambda token: "not-a-token",
    ],
    ids=["signature", "payload", "garbage"],
)
def test_a_tampered_link_shows_a_chinese_error_and_changes_nothing(told, citizen, tamper):
    notification, cards = told

    for method in ("get", "post"):
        response = getattr(Client(), method)(
            f"/report/{tamper(report_token(notification))}/", {"confirm": "yes"}
        )
        assert response.status_code == 404
        assert "该链接无效" in response.content.decode()
    assert statuses(cards)["active"] == CardStatus.ACTIVE
    citizen.refresh_from_db()
    assert citizen.flagged_at is None


def test_a_link_older_than_30_days_shows_a_chinese_error_and_changes_nothing(told, citizen):
    notification, cards = told
    link = url(notification)

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = Client().post(link, {"confirm": "yes"})

    assert response.status_code == 400
    assert "超过30天有效期" in response.content.decode()
    assert statuses(cards)["active"] == CardStatus.ACTIVE
    citizen.refresh_from_db()
    assert citizen.flagged_at is None


def test_a_link_still_works_within_30_days(told):
    notification, cards = told
    link = url(notification)

    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert Client().post(link, {"confirm": "yes"}).status_code == 200

    assert statuses(cards)["active"] == CardStatus.TEMP_LOST


def test_the_link_carries_no_personal_data(told, citizen):
    notification, _ = told
    token = report_token(notification)

    for value in (citizen.person.phone, citizen.person.doc_number, citizen.username):
        assert value not in token
    assert len(token) < 100
