"""Security notices: every change to a card or an account is told to the holder and every
guardian, by SMS to each phone on file whatever their preferences, in the 消息中心, and with
the “不是本人操作？” link."""

from __future__ import annotations

import pytest
from django.core import signing

from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.cards.constants import CardStatus
from sscard.cards.notices import card_placeholders
from sscard.conftest import jpeg
from sscard.notifications.constants import ACCOUNT_EVENTS, SECURITY_EVENTS, Channel, Event
from sscard.notifications.defaults import DEFAULT_TEMPLATES
from sscard.notifications.models import ChannelPreference, Message, MessageTemplate
from sscard.notifications.reports import REPORT_SALT
from sscard.notifications.services import notify, notify_account_event
from sscard.testing.factories import CardFactory, GuardianshipFactory, UserFactory, requester_for
from sscard.wechat.services import wechat_bind

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    """A minor with an account and a card, and their guardian with an account."""
    link = GuardianshipFactory()
    guardian = UserFactory(person=link.guardian)
    ward = UserFactory(person=link.ward)
    card = CardFactory(person=link.ward)
    return guardian, ward, card


def sms_addresses(event: str) -> list[str]:
    return sorted(
        Message.objects.filter(notification__event=event, channel=Channel.SMS).values_list(
            "address", flat=True
        )
    )


def inbox_readers(event: str) -> set[int]:
    return set(
        Message.objects.filter(notification__event=event, channel=Channel.INBOX).values_list(
            "user", flat=True
        )
    )


def assert_told_to_the_family(event: str, guardian, ward) -> Message:
    assert sms_addresses(event) == sorted([ward.person.phone, guardian.person.phone])
    assert inbox_readers(event) == {guardian.pk, ward.pk}
    message = Message.objects.filter(notification__event=event, user=ward).get()
    assert "不是本人操作？" in message.body and "/report/" in message.body
    assert ward.person.name not in message.body and ward.person.phone not in message.body
    return message


@pytest.mark.parametrize(
    ("action", "event", "status"),
    [
        ("temporary", Event.LOSS_TEMPORARY, CardStatus.TEMP_LOST),
        ("formal", Event.LOSS_FORMAL, CardStatus.LOST),
    ],
)
def test_a_loss_report_is_told_to_the_holder_and_the_guardian_by_sms(family, action, event, status):
    guardian, ward, card = family

    services.item_report_loss(
        requester=requester_for(guardian), card=card, action=action, confirmed_irreversible=True
    )

    card.refresh_from_db()
    assert card.status == status
    message = assert_told_to_the_family(event, guardian, ward)
    assert card.masked_number in message.body


def test_cancelling_a_loss_report_is_told_with_a_link_that_freezes_the_card_again(family):
    guardian, ward, card = family
    services.item_report_loss(requester=requester_for(guardian), card=card, action="temporary")

    services.item_report_loss(requester=requester_for(guardian), card=card, action="cancel")

    message = assert_told_to_the_family(Event.LOSS_CANCELLED, guardian, ward)
    assert "解除挂失" in message.body and "重新临时挂失" in message.body


def test_a_reissue_is_told_when_submitted_and_its_approval_says_the_old_card_is_cancelled(
    family, bank, outlet, reviewer
):
    guardian, ward, card = family
    application = services.application_submit_reissue(
        requester=requester_for(guardian, TrustLevel.L3_PLUS),
        card=card,
        data={
            "kind": "replace",
            "reason": "damaged",
            "bank": bank.code,
            "delivery": "outlet",
            "outlet": outlet.code,
        },
        files={"photo": jpeg()},
    )
    submitted = assert_told_to_the_family(Event.REISSUE_SUBMITTED, guardian, ward)
    assert application.receipt_number in submitted.body

    services.application_accept(application=application, actor=reviewer)
    application = services.application_approve(application=application, actor=reviewer)

    approved = assert_told_to_the_family(Event.REISSUE_APPROVED, guardian, ward)
    new_card = application.production_order.card
    assert f"原社保卡{card.masked_number}已注销" in approved.body
    assert f"新社保卡{new_card.masked_number}" in approved.body
    # the reissue's approval is told once, in its own words
    assert not Message.objects.filter(notification__event=Event.APPLICATION_APPROVED).exists()


@pytest.mark.parametrize("event", sorted(ACCOUNT_EVENTS))
def test_each_account_event_reaches_every_phone_on_file_and_names_the_account_masked(family, event):
    guardian, ward, _ = family

    notification = notify_account_event(event, user=ward, person=ward.person)

    assert notification is not None and notification.event == event
    message = assert_told_to_the_family(event, guardian, ward)
    assert ward.username[:2] + "****" in message.body
    assert ward.username not in message.body


def test_an_event_that_is_not_an_account_event_is_refused_by_notify_account_event(citizen):
    with pytest.raises(ValueError, match="not an account event"):
        notify_account_event(Event.APPLICATION_ACCEPTED, user=citizen, person=citizen.person)


def test_binding_wechat_is_told(citizen):
    wechat_bind(
        requester=Requester(user=citizen, trust=TrustLevel.L3_PLUS), openid="o-test-openid-1"
    )

    assert sms_addresses(Event.WECHAT_BOUND) == [citizen.person.phone]
    assert inbox_readers(Event.WECHAT_BOUND) == {citizen.pk}


def test_security_notices_ignore_sms_switched_off_for_the_holder_and_the_guardian(family):
    guardian, ward, _ = family
    for person in (guardian.person, ward.person):
        ChannelPreference.objects.create(person=person, sms=False)

    notify_account_event(Event.PASSWORD_CHANGED, user=ward, person=ward.person)

    assert sms_addresses(Event.PASSWORD_CHANGED) == sorted(
        [ward.person.phone, guardian.person.phone]
    )


def test_ordinary_notices_do_not_go_to_the_guardians_phone(family):
    guardian, ward, card = family

    notify(Event.PRODUCTION_PRODUCING, person=ward.person, values=card_placeholders(card))

    assert sms_addresses(Event.PRODUCTION_PRODUCING) == [ward.person.phone]
    assert guardian.person.phone not in sms_addresses(Event.PRODUCTION_PRODUCING)


def test_a_guardian_sharing_the_minors_phone_gets_one_sms(family):
    guardian, ward, _ = family
    ward.person.phone = guardian.person.phone
    ward.person.save()

    notify_account_event(Event.ACCOUNT_LINKED, user=ward, person=ward.person)

    assert sms_addresses(Event.ACCOUNT_LINKED) == [guardian.person.phone]


def test_a_guardian_with_wechat_bound_is_told_on_wechat_too(family):
    guardian, ward, _ = family
    MessageTemplate.objects.filter(event=Event.PASSWORD_CHANGED).update(
        wechat_template_id="tmpl-password"
    )
    wechat_bind(
        requester=Requester(user=guardian, trust=TrustLevel.L3_PLUS), openid="o-guardian-openid"
    )
    Message.objects.all().delete()

    notify_account_event(Event.PASSWORD_CHANGED, user=ward, person=ward.person)

    (wechat,) = Message.objects.filter(
        notification__event=Event.PASSWORD_CHANGED, channel=Channel.WECHAT
    )
    assert wechat.address == "o-guardian-openid"


def test_an_edited_template_that_lost_the_link_still_carries_it(citizen):
    MessageTemplate.objects.filter(event=Event.PASSWORD_CHANGED).update(
        body="{name}您好，您的登录密码已修改。"
    )

    notify_account_event(Event.PASSWORD_CHANGED, user=citizen, person=citizen.person)

    message = Message.objects.get(user=citizen, notification__event=Event.PASSWORD_CHANGED)
    assert message.body.startswith(citizen.person.masked_name + "您好，您的登录密码已修改。")
    assert "不是本人操作？请点此报告" in message.body and "/report/" in message.body


def test_the_link_names_the_notification_and_the_person_only(citizen):
    notification = notify_account_event(Event.PASSWORD_CHANGED, user=citizen, person=citizen.person)
    message = Message.objects.get(user=citizen, notification=notification)

    token = message.body.split("/report/")[1].split("/")[0]
    assert signing.loads(token, salt=REPORT_SALT) == [citizen.person.pk, notification.pk]


def test_every_security_event_has_a_seeded_template_with_the_link():
    for event in SECURITY_EVENTS:
        template = MessageTemplate.objects.get(event=event)
        assert "{report_link}" in template.body, event
        assert template.body == DEFAULT_TEMPLATES[event][1]
        template.full_clean()  # every placeholder it uses is known


def test_the_data_migration_adds_the_link_to_the_seeded_wording_and_keeps_an_edited_one():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("sscard.notifications.migrations.0003_security_notices")
    MessageTemplate.objects.filter(event=Event.CONTACT_CHANGED).update(
        body=migration.SEEDED_BEFORE["contact_changed"]
    )
    MessageTemplate.objects.filter(event=Event.CARD_ENABLED).update(body="管理员改写的内容")
    MessageTemplate.objects.filter(event=Event.LOSS_FORMAL).delete()

    migration.seed(apps, None)

    bodies = dict(MessageTemplate.objects.values_list("event", "body"))
    assert bodies[Event.CONTACT_CHANGED] == DEFAULT_TEMPLATES[Event.CONTACT_CHANGED][1]
    assert bodies[Event.CARD_ENABLED] == "管理员改写的内容"
    assert bodies[Event.LOSS_FORMAL] == DEFAULT_TEMPLATES[Event.LOSS_FORMAL][1]
