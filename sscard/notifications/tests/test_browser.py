"""The 消息中心 on a phone and the delivery list on a desktop, as their users see them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sscard.accounts.models import User
from sscard.cards.notices import card_placeholders
from sscard.notifications import services
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import Message
from sscard.testing.browser import shot
from sscard.testing.factories import CardFactory, StaffFactory, UserFactory
from sscard.testing.otp import otp_browser_login
from sscard.testing.sessions import sign_in_page

pytestmark = pytest.mark.browser


def test_a_citizen_reads_the_message_centre_and_marks_a_message_read(phone, live_server):
    user = UserFactory()
    card = CardFactory(person=user.person)
    services.notify(Event.PRODUCTION_PRODUCING, person=user.person, values=card_placeholders(card))
    services.notify(Event.CARD_ENABLED, person=user.person, values=card_placeholders(card))
    sign_in_page(phone, user, live_server)

    phone.goto("/messages/")
    expect(phone.get_by_role("heading", name="消息中心")).to_be_visible()
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


def test_an_officer_sees_a_failed_message_with_its_error_and_resends_it(desktop, live_server):
    user = UserFactory()
    services.notify(Event.APPLICATION_ACCEPTED, person=user.person)
    Message.objects.filter(channel=Channel.SMS).update(
        status=MessageStatus.FAILED, attempts=5, last_error="网关超时（5秒无响应）"
    )
    otp_browser_login(desktop, StaffFactory(role=User.Role.ADMIN))  # a 系统管理员

    desktop.get_by_role("navigation", name="主菜单").get_by_role("link", name="消息发送").click()
    desktop.get_by_role("link", name="失败（1）").click()
    desktop.wait_for_url("**/staff/notifications/?status=failed*")
    expect(desktop.get_by_role("heading", name="消息发送")).to_be_visible()
    expect(desktop.get_by_role("cell", name="网关超时（5秒无响应）")).to_be_visible()
    shot(desktop, "notifications-staff-failed")

    desktop.get_by_role("link", name="详情").click()
    desktop.get_by_role("button", name="重新发送").click()
    desktop.get_by_text("已重新加入发送队列").wait_for()
    shot(desktop, "notifications-staff-detail")
    assert Message.objects.get(channel=Channel.SMS).status in (
        MessageStatus.PENDING,
        MessageStatus.SENT,
    )
