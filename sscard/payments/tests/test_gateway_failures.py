"""The gateway failing in the ways real ones fail: a 5xx answer (asked again), a call that
reached the gateway but whose answer was lost on the way back (asked again with the same
number: no second order, no second refund), and the gateway down when an unpaid application
is due to close (not closed on a doubt: it may have been paid)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import time_machine
from django.utils import timezone

from sscard.accounts.trust import TrustLevel
from sscard.applications import services as app_services
from sscard.applications.constants import AppStatus
from sscard.core.errors import DomainError
from sscard.payments import services
from sscard.payments.constants import OrderStatus, RefundStatus
from sscard.payments.models import PaymentOrder, Refund, SimulatedOrder, SimulatedRefund
from sscard.payments.refunds import refunds_retry
from sscard.payments.services import payment_start
from sscard.testing.factories import requester_for
from sscard.testing.payments import RETURN_URL, pay_at_gateway

pytestmark = pytest.mark.django_db


def start(application):
    return payment_start(user=application.applicant, application=application, return_url=RETURN_URL)


def answers_lost(channel, path: str, times: int) -> None:
    """The gateway does what ``path`` asks, then its answer never arrives (``times`` times)."""
    left = {"n": times}

    def rewrite(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.url.path.endswith(path) and left["n"] > 0:
            left["n"] -= 1
            raise httpx.ReadTimeout("answer lost", request=request)
        return response

    channel.rewrite = rewrite


def test_a_5xx_answer_is_asked_again(reissue_owed, gateway_channel):
    calls = []

    def rewrite(request: httpx.Request, response: httpx.Response) -> httpx.Response:
        calls.append(request.url.path)
        if len(calls) == 1:
            return httpx.Response(502, json={"code": "SYSTEM_ERROR"}, request=request)
        return response

    gateway_channel.rewrite = rewrite

    order = start(reissue_owed)

    assert calls == ["/pay-sim/api/orders", "/pay-sim/api/orders"]
    assert order.pay_url
    assert SimulatedOrder.objects.count() == 1


def test_a_5xx_answer_twice_is_the_gateway_unavailable(reissue_owed, gateway_channel):
    gateway_channel.rewrite = lambda request, response: httpx.Response(503, request=request)

    with pytest.raises(DomainError, match="支付服务暂时不可用"):
        start(reissue_owed)

    assert len(gateway_channel.requests) == 2
    assert PaymentOrder.objects.get().pay_url == ""


def test_an_order_made_whose_answer_was_lost_is_not_made_twice(reissue_owed, gateway_channel):
    answers_lost(gateway_channel, "/api/orders", times=1)

    order = start(reissue_owed)  # the retry with the same out_trade_no gets the same order

    assert len(gateway_channel.requests) == 2
    assert SimulatedOrder.objects.get().out_trade_no == order.out_trade_no
    assert order.pay_url.endswith(SimulatedOrder.objects.get().pay_token)


def test_an_order_whose_answers_were_all_lost_is_found_on_the_next_click(
    reissue_owed, gateway_channel
):
    answers_lost(gateway_channel, "/api/orders", times=2)
    with pytest.raises(DomainError, match="不会重复扣款"):
        start(reissue_owed)
    assert SimulatedOrder.objects.count() == 1  # the gateway made it; we never heard

    again = start(reissue_owed)

    assert SimulatedOrder.objects.count() == 1
    assert again.out_trade_no == SimulatedOrder.objects.get().out_trade_no
    assert again.pay_url


def _withdrawn_after_paying(application, capture):
    pay_at_gateway(start(application), capture)
    with capture(execute=True):
        app_services.application_withdraw(
            requester=requester_for(application.applicant, TrustLevel.L3),
            application=application,
        )
    return Refund.objects.get()


def test_a_refund_whose_answer_was_lost_is_not_refunded_twice(
    reissue_owed, gateway_channel, django_capture_on_commit_callbacks
):
    answers_lost(gateway_channel, "/api/refunds", times=1)

    refund = _withdrawn_after_paying(reissue_owed, django_capture_on_commit_callbacks)

    assert refund.status == RefundStatus.SUCCEEDED
    assert SimulatedRefund.objects.count() == 1
    assert SimulatedRefund.objects.get().out_refund_no == refund.out_refund_no


def test_a_refund_whose_answers_were_all_lost_is_retried_and_refunded_once(
    reissue_owed, gateway_channel, django_capture_on_commit_callbacks
):
    answers_lost(gateway_channel, "/api/refunds", times=2)

    refund = _withdrawn_after_paying(reissue_owed, django_capture_on_commit_callbacks)
    assert refund.status == RefundStatus.PENDING
    assert SimulatedRefund.objects.count() == 1  # the gateway refunded; we never heard

    assert refunds_retry() == 1

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.refund_id == SimulatedRefund.objects.get().refund_id
    assert SimulatedRefund.objects.count() == 1


def test_the_gateway_down_does_not_close_an_application_as_unpaid(reissue_owed, gateway_channel):
    order = start(reissue_owed)
    later = timezone.now() + timedelta(days=4)
    gateway_channel.fail_with = httpx.ConnectError("down")

    with time_machine.travel(later):
        assert services.payments_close_unpaid() == 0

    reissue_owed.refresh_from_db()
    order.refresh_from_db()
    assert reissue_owed.status == AppStatus.AWAITING_PAYMENT  # perhaps paid: nobody knows yet
    assert order.status == OrderStatus.CREATED

    gateway_channel.fail_with = None
    with time_machine.travel(later + timedelta(minutes=5)):
        assert services.payments_close_unpaid() == 1
    reissue_owed.refresh_from_db()
    assert reissue_owed.status == AppStatus.UNPAID


def test_the_gateway_failing_to_close_the_order_does_not_close_the_application(
    reissue_owed, gateway_channel
):
    start(reissue_owed)
    # the query answers (not paid, past its time), the close does not: it could still be paid
    gateway_channel.rewrite = lambda request, response: (
        httpx.Response(500, request=request) if request.url.path.endswith("/close") else response
    )

    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert services.payments_close_unpaid() == 0

    reissue_owed.refresh_from_db()
    assert reissue_owed.status == AppStatus.AWAITING_PAYMENT


def test_a_refund_confirmed_a_day_late_is_reconciled_on_the_gateways_day(
    reissue_owed, gateway_channel, django_capture_on_commit_callbacks
):
    from sscard.payments.reconciliation import reconcile

    answers_lost(gateway_channel, "/api/refunds", times=2)
    refund = _withdrawn_after_paying(reissue_owed, django_capture_on_commit_callbacks)
    refunded_on = timezone.localdate()

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert refunds_retry() == 1  # the gateway answers with the refund it made yesterday

    refund.refresh_from_db()
    assert timezone.localdate(refund.refunded_at) == refunded_on
    run = reconcile(day=refunded_on)
    assert (run.ours, run.theirs) == (2, 2)
    assert not run.differences.exists()
