"""我的办件 → 待缴费 → 去支付 → the gateway's page → back: what the citizen sees."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sscard.payments.models import PaymentOrder
from sscard.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_receipt_offers_to_pay_and_pay_goes_to_the_gateway(
    client, reissue_owed, django_capture_on_commit_callbacks
):
    client.force_login(reissue_owed.applicant)
    page = client.get(reverse("portal:application", args=[reissue_owed.receipt_number]))
    text = page.content.decode()
    assert "待缴费" in text and "应缴 ¥20.00" in text and "去支付" in text

    first = client.post(reverse("portal:pay", args=[reissue_owed.receipt_number]))
    second = client.post(reverse("portal:pay", args=[reissue_owed.receipt_number]))

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]  # a double click: one order
    assert first["Location"].startswith("http://testserver/pay-sim/pay/")
    assert PaymentOrder.objects.count() == 1

    pay_page = Client().get(first["Location"])
    assert "支付" in pay_page.content.decode() and "¥20.00" in pay_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        back = Client().post(first["Location"], {"action": "pay"})
    assert back["Location"].endswith(f"/my/{reissue_owed.receipt_number}/paid/")

    returned = client.get(back["Location"], follow=True)
    text = returned.content.decode()
    assert "已支付" in text and "¥20.00" in text
    assert "去支付" not in text
    assert "已提交" in text


def test_coming_back_unpaid_says_so_and_offers_pay_again(client, reissue_owed):
    client.force_login(reissue_owed.applicant)
    client.post(reverse("portal:pay", args=[reissue_owed.receipt_number]))

    back = client.get(reverse("portal:paid", args=[reissue_owed.receipt_number]), follow=True)

    text = back.content.decode()
    assert "尚未完成支付" in text
    assert "去支付" in text


def test_nobody_pays_or_sees_someone_elses(client, reissue_owed):
    client.force_login(UserFactory())

    assert client.post(reverse("portal:pay", args=[reissue_owed.receipt_number])).status_code == 404
    assert client.get(reverse("portal:paid", args=[reissue_owed.receipt_number])).status_code == 404
    assert not PaymentOrder.objects.exists()


def test_the_gateway_down_is_told_in_chinese(client, reissue_owed, gateway_channel):
    import httpx

    gateway_channel.fail_with = httpx.ConnectError("down")
    client.force_login(reissue_owed.applicant)

    response = client.post(reverse("portal:pay", args=[reissue_owed.receipt_number]), follow=True)

    assert "支付服务暂时不可用" in response.content.decode()
