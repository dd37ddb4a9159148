"""The gateway's notifications as an attacker or a confused network sends them: forged,
replayed, stale, for another amount, for an unknown order — refused or harmless, never paid
twice; and two at the same instant on PostgreSQL, paid once."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django.utils import timezone

from sscard.applications.constants import AppStatus
from sscard.audit.models import AuditRecord
from sscard.payments.constants import OrderStatus
from sscard.payments.models import PaymentOrder, SimulatedOrder
from sscard.payments.services import payment_start
from sscard.payments.signing import signed_headers
from sscard.payments.simulator.notify import notification_body
from sscard.testing.payments import RETURN_URL

pytestmark = pytest.mark.django_db


def paid_at_gateway(application) -> SimulatedOrder:
    """The order made and paid at the gateway, its notification not yet sent."""
    order = payment_start(
        user=application.applicant, application=application, return_url=RETURN_URL
    )
    sim = SimulatedOrder.objects.get(out_trade_no=order.out_trade_no)
    # the citizen paid on the gateway's page; its notification is what each test sends
    SimulatedOrder.objects.filter(pk=sim.pk).update(
        state="SUCCESS", transaction_id="4200000001", success_time=timezone.now()
    )
    sim.refresh_from_db()
    return sim


def post(body: bytes, headers: dict[str, str] | None = None):
    headers = signed_headers(body) if headers is None else headers
    return Client().post(
        "/payments/notify",
        body,
        content_type="application/json",
        headers=headers,
    )


def test_a_signed_notification_pays_once_and_its_repeat_changes_nothing(reissue_owed):
    sim = paid_at_gateway(reissue_owed)
    body = notification_body(sim)

    first = post(body)
    again = post(body)  # the gateway resends until it hears SUCCESS

    assert first.status_code == 200 and first.json()["code"] == "SUCCESS"
    assert again.status_code == 200 and again.json()["code"] == "SUCCESS"
    reissue_owed.refresh_from_db()
    assert reissue_owed.status == AppStatus.SUBMITTED
    assert reissue_owed.events.filter(action="pay").count() == 1
    assert AuditRecord.objects.filter(action="payment.paid").count() == 1


def test_a_second_notification_with_another_id_for_a_paid_order_changes_nothing(reissue_owed):
    sim = paid_at_gateway(reissue_owed)
    assert post(notification_body(sim)).status_code == 200
    assert post(notification_body(sim)).status_code == 200

    assert reissue_owed.events.filter(action="pay").count() == 1


def test_a_forged_notification_is_refused(reissue_owed):
    sim = paid_at_gateway(reissue_owed)
    body = notification_body(sim)

    forged = post(body, signed_headers(body, key="not-our-key"))
    unsigned = post(body, {})
    tampered_headers = signed_headers(body)
    tampered = post(body.replace(b"4200000001", b"4200000002"), tampered_headers)

    assert forged.status_code == unsigned.status_code == tampered.status_code == 401
    assert PaymentOrder.objects.get().status == OrderStatus.CREATED
    reissue_owed.refresh_from_db()
    assert reissue_owed.status == AppStatus.AWAITING_PAYMENT


def test_a_replayed_notification_from_long_ago_is_refused(reissue_owed):
    sim = paid_at_gateway(reissue_owed)
    body = notification_body(sim)

    stale = post(body, signed_headers(body, at=time.time() - 600))

    assert stale.status_code == 401
    assert PaymentOrder.objects.get().status == OrderStatus.CREATED


def test_a_notification_for_another_amount_is_refused_and_audited(reissue_owed):
    sim = paid_at_gateway(reissue_owed)

    response = post(notification_body(sim, amount_fen=1))

    assert response.status_code == 400
    assert response.json()["message"] == "金额与订单不一致"
    assert PaymentOrder.objects.get().status == OrderStatus.CREATED
    refused = AuditRecord.objects.get(action="payment.notice_refused")
    assert refused.detail["reason"] == "amount_mismatch"
    # the true notification that follows is still applied
    assert post(notification_body(sim)).status_code == 200
    assert PaymentOrder.objects.get().status == OrderStatus.PAID


def test_a_notification_for_an_unknown_order_is_refused(reissue_owed):
    sim = paid_at_gateway(reissue_owed)
    body = json.loads(notification_body(sim))
    body["resource"]["out_trade_no"] = "PNOSUCHORDER"

    response = post(json.dumps(body).encode())

    assert response.status_code == 404
    assert AuditRecord.objects.get(action="payment.notice_refused").detail["reason"] == (
        "unknown_order"
    )


def test_a_notification_paid_before_the_order_existed_is_refused(reissue_owed):
    sim = paid_at_gateway(reissue_owed)
    body = json.loads(notification_body(sim))
    body["resource"]["success_time"] = "2020-01-01T00:00:00+08:00"

    response = post(json.dumps(body).encode())

    assert response.status_code == 400
    assert PaymentOrder.objects.get().status == OrderStatus.CREATED


def test_a_notification_that_is_not_a_success_changes_nothing(reissue_owed):
    sim = paid_at_gateway(reissue_owed)
    body = json.loads(notification_body(sim))
    body["event_type"] = "TRANSACTION.CLOSED"
    body["resource"]["trade_state"] = "CLOSED"

    assert post(json.dumps(body).encode()).status_code == 200
    assert PaymentOrder.objects.get().status == OrderStatus.CREATED


def test_a_malformed_notification_is_refused(reissue_owed):
    sim = paid_at_gateway(reissue_owed)
    body = json.loads(notification_body(sim))
    body["resource"]["success_time"] = "2026-12-05T10:00:00"  # no offset

    assert post(b'{"id": "x"}').status_code == 400
    assert post(b"not json").status_code == 400
    assert post(json.dumps(body).encode()).status_code == 400
    assert PaymentOrder.objects.get().status == OrderStatus.CREATED


@pytest.mark.parametrize("total", [2000.9, 2000.0, "2000", True, None])
def test_a_notification_whose_amount_is_not_whole_fen_is_refused(reissue_owed, total):
    sim = paid_at_gateway(reissue_owed)
    body = json.loads(notification_body(sim))
    body["resource"]["amount"]["total"] = total  # int(2000.9) would have read 2000 and paid

    response = post(json.dumps(body).encode())

    assert response.status_code == 400
    assert response.json()["message"] == "通知格式不正确"
    assert PaymentOrder.objects.get().status == OrderStatus.CREATED
    reissue_owed.refresh_from_db()
    assert reissue_owed.status == AppStatus.AWAITING_PAYMENT


@pytest.mark.parametrize("total", [2000.9, 2000.0, "2000"])
def test_an_order_query_whose_amount_is_not_whole_fen_settles_nothing(
    reissue_owed, gateway_channel, total
):
    import httpx

    from sscard.payments.services import payment_check

    paid_at_gateway(reissue_owed)

    def rewrite(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method != "GET":
            return response
        data = json.loads(response.read())
        data["amount"]["total"] = total
        return httpx.Response(200, json=data, request=request)

    gateway_channel.rewrite = rewrite

    assert payment_check(user=reissue_owed.applicant, application=reissue_owed) == (
        AppStatus.AWAITING_PAYMENT
    )
    assert PaymentOrder.objects.get().status == OrderStatus.CREATED

    gateway_channel.rewrite = lambda request, response: response  # the gateway fixed
    assert payment_check(user=reissue_owed.applicant, application=reissue_owed) == (
        AppStatus.SUBMITTED
    )
