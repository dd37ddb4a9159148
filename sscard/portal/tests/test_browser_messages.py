"""The 消息中心 on a phone, as the citizen sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sscard.cards.notices import card_placeholders
from sscard.notifications import services
from sscard.notifications.constants import Event
from sscard.notifications.models import Message
from sscard.testing.browser import shot
from sscard.testing.factories import CardFactory, UserFactory
from sscard.testing.sessions import sign_in_page

pytestmark = pytest.mark.browser


def test_a_citizen_reads_the_message_centre_and_marks_a_message_read(phone, live_server):
    user = UserFactory()
    card = CardFactory(person=user.person)
    services.notify(Event.PRODUCTION_PRODUCING, person=user.person, values=card_placeholders(card))
    services.notify(Event.CARD_ENABLED, person=user.person, values=card_placeholders(card))
    sign_in_page(phone, user, live_server)

    phone.goto("/messages/")
    expect(phone.get_by_role("heading", level=1, name="消息中心")).to_be_visible()
    expect(phone.get_by_text("2 条未读")).to_be_visible()
    expect(phone.get_by_text(card.masked_number).first).to_be_visible()
    shot(phone, "notifications-inbox")

    phone.get_by_role("button", name="标为已读", exact=True).first.click()
    phone.get_by_text("已读", exact=True).first.wait_for()
    assert Message.objects.filter(user=user, read_at__isnull=False).count() == 1

    phone.get_by_role("button", name="全部标为已读").click()
    phone.get_by_text("没有未读消息").wait_for()

    phone.get_by_role("link", name="接收设置").click()
    phone.get_by_label("短信（发送至您登记的手机号码）").uncheck()
    phone.get_by_role("button", name="保存").click()
    phone.get_by_text("消息接收设置已保存").wait_for()
    shot(phone, "notifications-preferences")
