"""The notices point to the e-card and the receipts: 受理 to its 受理回执's PDF, an instant
item to its 办结凭证, 启用 and 解挂 to 我的电子社保卡; 挂失 says the e-card is paused. An
administrator's own wording is kept by the data migration."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from sscard.applications import services
from sscard.notifications.constants import Channel, Event
from sscard.notifications.defaults import DEFAULT_TEMPLATES
from sscard.notifications.models import Message, MessageTemplate
from sscard.testing.factories import ApplicationFactory, CardFactory, StaffFactory, UserFactory
from sscard.testing.factories.people import requester_for

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
