"""The outbox seen by staff under /staff/notifications/: delivery status per message, failed
ones resent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from sscard.accounts.models import User
from sscard.notifications import services
from sscard.notifications.backends import MemoryBackend
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import Message
from sscard.testing.factories import StaffFactory
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """What the SMS and WeChat gateways were given during the test."""
    MemoryBackend.sent.clear()
    yield MemoryBackend.sent
    MemoryBackend.sent.clear()


@pytest.fixture
def failed(citizen):
    services.notify(Event.APPLICATION_ACCEPTED, person=citizen.person)
    sms = Message.objects.get(channel=Channel.SMS)
    Message.objects.filter(pk=sms.pk).update(
        status=MessageStatus.FAILED, attempts=5, last_error="网关超时（5秒无响应）"
    )
    return sms


def officer() -> object:
    """A 系统管理员: the group carries 查看 and 重新发送 of messages."""
    user = StaffFactory(role=User.Role.ADMIN)
    assert user.has_perms(["notifications.view_message", "notifications.resend_message"])
    return user


def test_the_delivery_list_is_for_staff_only(client, citizen, failed):
    url = reverse("notifications_staff:list")
    assert client.get(url).status_code == 302
    client.force_login(officer())  # the password alone is not enough
    response = client.get(url)
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
    client.force_login(citizen)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", [User.Role.REVIEWER, User.Role.PRODUCER, User.Role.CLERK])
def test_other_staff_roles_neither_see_nor_resend_messages(client, failed, role):
    otp_login(client, StaffFactory(role=role))
    assert client.get(reverse("notifications_staff:list")).status_code == 403
    assert client.get(reverse("notifications_staff:detail", args=[failed.pk])).status_code == 403
    response = client.post(reverse("notifications_staff:resend", args=[failed.pk]))
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED


def test_failed_messages_are_listed_with_their_error(client, failed, django_assert_max_num_queries):
    otp_login(client, officer())

    # the session, the account and its TOTP device, its permissions, the page's three
    # queries and the session's save
    with django_assert_max_num_queries(11):
        response = client.get(reverse("notifications_staff:list"), {"status": "failed"})

    page = response.content.decode()
    assert "网关超时（5秒无响应）" in page
    assert failed.address_masked in page and failed.address not in page
    assert "失败（1）" in page


def test_an_officer_with_the_permission_resends_a_failed_message(client, failed, sent):
    otp_login(client, officer())
    detail = client.get(reverse("notifications_staff:detail", args=[failed.pk])).content.decode()
    assert "网关超时（5秒无响应）" in detail and "重新发送" in detail

    response = client.post(reverse("notifications_staff:resend", args=[failed.pk]))

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == MessageStatus.PENDING and failed.attempts == 0


def test_resending_needs_its_own_permission(client, failed):
    # an account granted viewing alone (no role has that split today): it may look, not resend
    viewer = StaffFactory(role=User.Role.REVIEWER)
    viewer.user_permissions.set(
        Permission.objects.filter(content_type__app_label="notifications", codename="view_message")
    )
    otp_login(client, viewer)

    page = client.get(reverse("notifications_staff:list"), {"status": "failed"}).content.decode()
    response = client.post(reverse("notifications_staff:resend", args=[failed.pk]))

    assert "网关超时（5秒无响应）" in page and "重新发送" not in page  # viewing is not resending
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED
