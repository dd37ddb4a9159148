"""The 消息中心 (/messages/): the list, marking read, the receiving settings, the unread count."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from sscard.applications import services as services_for_apps
from sscard.applications.tests.helpers import submit_apply
from sscard.audit.models import AuditRecord
from sscard.notifications import services
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import ChannelPreference, Message
from sscard.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def tell(user, event=Event.PRODUCTION_PRODUCING):
    services.notify(event, person=user.person)
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
