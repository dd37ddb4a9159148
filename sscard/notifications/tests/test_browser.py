"""The outbox's delivery list on a desktop, as the officers see it (the 消息中心 on a phone is
the portal's: sscard/portal/tests/test_browser_messages.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sscard.accounts.models import User
from sscard.notifications import services
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import Message
from sscard.testing.browser import shot
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.otp import otp_browser_login

pytestmark = pytest.mark.browser


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
