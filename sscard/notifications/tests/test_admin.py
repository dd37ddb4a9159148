"""The outbox's message templates in the Django admin (the outbox's staff screens are tested in
sscard/backoffice/tests, the 消息中心 in sscard/portal/tests)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sscard.accounts.models import User
from sscard.notifications.constants import Event
from sscard.notifications.models import MessageTemplate
from sscard.testing.factories import StaffFactory
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


def test_an_administrator_edits_a_template_in_the_admin_and_a_typo_is_refused(client):
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
