"""The 消息中心 pages and the back office's delivery list."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from sscard.accounts.models import User
from sscard.applications import services as services_for_apps
from sscard.applications.tests.helpers import submit_apply
from sscard.audit.models import AuditRecord
from sscard.notifications import services
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import ChannelPreference, Message
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


def tell(user, event=Event.PRODUCTION_PRODUCING, **context):
    services.notify(event, person=user.person, context=context)
    return Message.objects.filter(user=user, channel=Channel.INBOX).first()


def test_the_message_centre_asks_for_a_login(client):
    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 302
    assert "next=/messages/" in response["Location"]


def test_the_message_centre_lists_the_accounts_own_messages_unread_first_marked(
    client, citizen, django_assert_max_num_queries
):
    for _ in range(3):
        tell(citizen)
    other = UserFactory()
    tell(other, Event.CARD_ENABLED)
    client.force_login(citizen)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:inbox"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("社保卡制作中") == 3
    assert "社保卡已启用" not in page
    assert "3 条未读" in page
    assert citizen.person.name not in page


def test_each_message_links_to_its_application_on_the_host_it_is_read_from(
    client, citizen, bank, outlet, reviewer, settings
):
    settings.SSCARD_PUBLIC_URL = "https://sscard.example.gov.cn"
    application = submit_apply(citizen, bank, outlet)
    services_for_apps.application_return(
        application=services_for_apps.application_accept(application=application, actor=reviewer),
        actor=reviewer,
        reason="照片背景不符合要求",
    )
    client.force_login(citizen)

    page = client.get(reverse("notifications:inbox")).content.decode()

    path = reverse("portal:application", args=[application.receipt_number])
    assert f'<a class="btn btn-mini btn-default" href="{path}">查看详情</a>' in page
    # the address written in the text is a link too, even with no space around it
    assert f'<a href="{path}">https://sscard.example.gov.cn{path}</a>' in page
    returned = Event.APPLICATION_RETURNED
    sms = Message.objects.filter(channel=Channel.SMS, notification__event=returned)
    assert f"https://sscard.example.gov.cn{path}" in sms.get().body


def test_marking_one_message_read(client, citizen):
    message = tell(citizen)
    tell(citizen)
    client.force_login(citizen)

    response = client.post(reverse("notifications:read", args=[message.pk]))

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.read_at is not None
    assert "1 条未读" in client.get(reverse("notifications:inbox")).content.decode()


def test_marking_read_with_htmx_swaps_the_one_message(client, citizen):
    message = tell(citizen)
    client.force_login(citizen)

    response = client.post(reverse("notifications:read", args=[message.pk]), HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="message-{message.pk}"' in body and "已读" in body
    assert "<html" not in body


def test_nobody_marks_someone_elses_message(client, citizen):
    message = tell(UserFactory())
    client.force_login(citizen)

    response = client.post(reverse("notifications:read", args=[message.pk]))

    assert response.status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_marking_read_needs_a_post(client, citizen):
    message = tell(citizen)
    client.force_login(citizen)

    assert client.get(reverse("notifications:read", args=[message.pk])).status_code == 405
    message.refresh_from_db()
    assert message.read_at is None


def test_marking_everything_read(client, citizen):
    tell(citizen)
    tell(citizen)
    client.force_login(citizen)

    client.post(reverse("notifications:read_all"))

    assert not Message.objects.filter(user=citizen, read_at__isnull=True).exists()


def test_the_unread_count_tag_for_the_portal_home(citizen):
    tell(citizen)
    tell(citizen)
    request = RequestFactory().get("/")
    request.user = citizen

    html = Template("{% load notifications %}{% messages_entry %}").render(
        Context({"request": request})
    )
    count = Template("{% load notifications %}{% unread_message_count as n %}{{ n }}").render(
        Context({"request": request})
    )

    assert 'href="/messages/"' in html and "2 条未读" in html
    assert count == "2"


def test_the_holder_switches_sms_off_and_it_is_audited(client, citizen):
    client.force_login(citizen)

    response = client.post(reverse("notifications:preferences"), {"wechat": "on"})

    assert response.status_code == 302
    preference = ChannelPreference.objects.get(person=citizen.person)
    assert (preference.sms, preference.wechat) == (False, True)
    assert AuditRecord.objects.filter(action="notification.preference").exists()
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="sms">' in page and 'name="wechat" checked>' in page


# ---------------------------------------------------------------------------------------------
# Back office


@pytest.fixture
def failed(citizen):
    services.notify(Event.APPLICATION_ACCEPTED, person=citizen.person, context={})
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


def test_an_administrator_edits_a_template_in_the_admin_and_a_typo_is_refused(client):
    from sscard.notifications.models import MessageTemplate

    template = MessageTemplate.objects.get(event=Event.PRODUCTION_AT_OUTLET)
    otp_login(client, StaffFactory(role=User.Role.ADMIN, is_superuser=True))
    url = reverse("admin:notifications_messagetemplate_change", args=[template.pk])
    form = {"title": "社保卡可以领取了", "wechat_template_id": "", "active": "on"}

    refused = client.post(url, {**form, "body": "请到{outlet_nmae}领卡"})
    saved = client.post(url, {**form, "body": "请到{outlet_name}领卡，营业时间{opening_hours}"})

    assert "未知的占位符：{outlet_nmae}" in refused.content.decode()
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.body == "请到{outlet_name}领卡，营业时间{opening_hours}"
