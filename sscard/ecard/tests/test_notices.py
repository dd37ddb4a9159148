"""The notices point to the e-card and the receipts: 受理 to its 受理回执's PDF, an instant
item (启用, 临时挂失, 正式挂失, 解挂) to its 办结凭证, 启用 and 解挂 to 我的电子社保卡; 挂失 says
the e-card is paused; a freeze with no 办件 behind it says nothing of a certificate. An
administrator's own wording is kept by the data migrations."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from sscard.applications import services
from sscard.cards.services import card_report_not_me
from sscard.notifications.constants import Channel, Event
from sscard.notifications.defaults import DEFAULT_TEMPLATES
from sscard.notifications.models import Message, MessageTemplate
from sscard.notifications.services import notify
from sscard.testing.factories import ApplicationFactory, CardFactory, StaffFactory, UserFactory
from sscard.testing.factories.people import requester_for
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db


def inbox(user, event):
    return Message.objects.get(user=user, channel=Channel.INBOX, notification__event=event).body


def test_an_acceptance_links_its_receipt_pdf():
    application = ApplicationFactory()
    services.application_accept(application=application, actor=StaffFactory(role="reviewer"))
    body = inbox(application.applicant, Event.APPLICATION_ACCEPTED)
    assert f"/my/{application.receipt_number}/pdf/acceptance/" in body


def test_enabling_links_the_e_card_and_a_loss_report_says_it_is_paused():
    user = UserFactory()
    card = CardFactory(sealed=True, person=user.person)
    services.item_enable(requester=requester_for(user), card=card, password="135790")
    assert "我的电子社保卡" in inbox(user, Event.CARD_ENABLED)
    assert "/ecard/" in inbox(user, Event.CARD_ENABLED)
    services.item_report_loss(
        requester=requester_for(user), card=card, action=services.LossAction.TEMPORARY
    )
    assert "电子社保卡暂停使用" in inbox(user, Event.LOSS_TEMPORARY)


def completion_pdf(application) -> str:
    return f"/my/{application.receipt_number}/pdf/completion/"


def test_an_instant_items_notice_links_its_completion_certificate():
    user = UserFactory()
    card = CardFactory(sealed=True, person=user.person)
    requester = requester_for(user)
    site = settings.SSCARD_PUBLIC_URL.rstrip("/")
    enabled = services.item_enable(requester=requester, card=card, password="135790")
    assert f"办结凭证：{site}{completion_pdf(enabled)}。" in inbox(user, Event.CARD_ENABLED)
    for action, event in [
        (services.LossAction.TEMPORARY, Event.LOSS_TEMPORARY),
        (services.LossAction.CANCEL, Event.LOSS_CANCELLED),
        (services.LossAction.FORMAL, Event.LOSS_FORMAL),
    ]:
        done = services.item_report_loss(
            requester=requester, card=card, action=action, confirmed_irreversible=True
        )
        body = inbox(user, event)
        assert f"办结凭证：{site}{completion_pdf(done)}。" in body
    # the link opens the certificate, to the holder
    answer = sign_in(Client(), user).get(completion_pdf(done))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"


def test_a_freeze_by_a_not_me_report_has_no_certificate_and_says_nothing_of_one():
    user = UserFactory()
    card = CardFactory(person=user.person)
    notification = notify(Event.PASSWORD_CHANGED, person=user.person)
    card_report_not_me(notification=notification)
    body = inbox(user, Event.LOSS_TEMPORARY)
    assert card.masked_number in body and "临时挂失" in body
    assert "办结凭证" not in body and "。。" not in body and "：。" not in body
    assert "不是本人操作？" in body


def test_the_migration_links_the_certificate_only_in_templates_still_as_seeded():
    migration = import_module(
        "sscard.notifications.migrations.0011_instant_notices_link_their_receipt"
    )
    MessageTemplate.objects.filter(event=Event.LOSS_TEMPORARY).update(
        body=migration.SEEDED_BEFORE["loss_temporary"]
    )
    MessageTemplate.objects.filter(event=Event.LOSS_FORMAL).update(body="管理员改写的内容")
    migration.reword(apps, None)
    bodies = dict(MessageTemplate.objects.values_list("event", "body"))
    assert bodies[Event.LOSS_TEMPORARY] == DEFAULT_TEMPLATES[Event.LOSS_TEMPORARY][1]
    assert "{receipt_link}" in bodies[Event.LOSS_TEMPORARY]
    assert bodies[Event.LOSS_FORMAL] == "管理员改写的内容"
    migration.unreword(apps, None)
    after = dict(MessageTemplate.objects.values_list("event", "body"))
    assert after[Event.LOSS_TEMPORARY] == migration.SEEDED_BEFORE["loss_temporary"]


def test_the_migration_rewords_only_the_seeded_templates():
    migration = import_module("sscard.notifications.migrations.0007_ecard_and_receipt_links")
    MessageTemplate.objects.filter(event=Event.APPLICATION_ACCEPTED).update(
        body=migration.SEEDED_BEFORE["app_accepted"]
    )
    MessageTemplate.objects.filter(event=Event.CARD_ENABLED).update(body="管理员改写的内容")
    migration.reword(apps, None)
    bodies = dict(MessageTemplate.objects.values_list("event", "body"))
    assert bodies[Event.APPLICATION_ACCEPTED] == DEFAULT_TEMPLATES[Event.APPLICATION_ACCEPTED][1]
    assert "{receipt_link}" in bodies[Event.APPLICATION_ACCEPTED]
    assert bodies[Event.CARD_ENABLED] == "管理员改写的内容"
