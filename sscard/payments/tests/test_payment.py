"""Paying an application's fee through the (simulated) gateway: 待缴费 → 去支付 → 支付 → the
signed notification → 已提交, once; refunds when a paid application is refused or withdrawn."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from sscard.accounts.trust import TrustLevel
from sscard.applications import services as app_services
from sscard.applications.constants import AppStatus
from sscard.applications.models import Material
from sscard.applications.tests.helpers import approve
from sscard.audit.models import AuditRecord
from sscard.conftest import jpeg
from sscard.core.errors import DomainError, NotFound
from sscard.payments import services
from sscard.payments.constants import OrderStatus, RefundStatus
from sscard.payments.models import PaymentOrder, Refund, SimulatedOrder, SimulatedRefund
from sscard.payments.services import payment_check, payment_start
from sscard.testing.factories import CardFactory, UserFactory, requester_for
from sscard.testing.payments import RETURN_URL, pay_at_gateway

pytestmark = pytest.mark.django_db


def start(application, user=None):
    return payment_start(
        user=user or application.applicant, application=application, return_url=RETURN_URL
    )


def test_an_application_that_owes_a_fee_waits_for_payment_and_no_clock_runs(reissue_owed):
    assert reissue_owed.status == AppStatus.AWAITING_PAYMENT
    assert reissue_owed.get_status_display() == "待缴费"
    assert reissue_owed.fee_fen == 2000
    assert reissue_owed.due_on is None  # the legal time limit starts at 受理, after payment


def test_a_free_application_goes_straight_to_review(region, citizen, bank, outlet, payments_on):
    region.reissue_fee_fen = 0
    region.save()
    card = CardFactory(person=citizen.person, lost_formally=True)
    Material.objects.create(person=citizen.person, kind="photo", file=jpeg(), size=1)
    application = app_services.application_submit_reissue(
        requester=requester_for(citizen, TrustLevel.L3_PLUS),
        card=card,
        data={"kind": "reissue", "bank": bank.code, "delivery": "outlet", "outlet": outlet.code},
    )

    assert application.status == AppStatus.SUBMITTED
    assert not PaymentOrder.objects.exists()


def test_paying_at_the_gateway_sends_the_application_to_review(
    reissue_owed, django_capture_on_commit_callbacks
):
    order = start(reissue_owed)
    assert order.pay_url.startswith("http://testserver/pay-sim/pay/")

    pay_at_gateway(order, django_capture_on_commit_callbacks)

    reissue_owed.refresh_from_db()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.transaction_id.startswith("4200")
    assert reissue_owed.status == AppStatus.SUBMITTED
    assert reissue_owed.events.filter(action="pay", note="已支付 ¥20.00").exists()
    assert AuditRecord.objects.filter(action="payment.paid").count() == 1


def test_double_clicking_pay_makes_one_gateway_order(reissue_owed):
    first = start(reissue_owed)
    second = start(reissue_owed)

    assert first.pk == second.pk
    assert first.pay_url == second.pay_url
    assert SimulatedOrder.objects.count() == 1


def test_nobody_pays_someone_elses_application(reissue_owed):
    with pytest.raises(NotFound):
        start(reissue_owed, user=UserFactory())
    with pytest.raises(NotFound):
        payment_check(user=UserFactory(), application=reissue_owed)
    assert not PaymentOrder.objects.exists()


def test_cancelling_at_the_gateway_leaves_it_payable(
    reissue_owed, django_capture_on_commit_callbacks
):
    order = start(reissue_owed)
    pay_at_gateway(order, django_capture_on_commit_callbacks, action="cancel")

    assert payment_check(user=reissue_owed.applicant, application=reissue_owed) == (
        AppStatus.AWAITING_PAYMENT
    )
    assert start(reissue_owed).pk == order.pk  # 去支付 again: the same order


def test_an_order_past_its_minutes_is_closed_and_a_new_one_made(reissue_owed):
    order = start(reissue_owed)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        again = start(reissue_owed)

    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    assert again.pk != order.pk
    assert SimulatedOrder.objects.get(out_trade_no=order.out_trade_no).state == "CLOSED"


def test_the_gateway_down_keeps_the_order_and_the_next_click_retries_the_same(
    reissue_owed, gateway_channel
):
    import httpx

    gateway_channel.fail_with = httpx.ConnectTimeout("down")
    with pytest.raises(DomainError, match="支付服务暂时不可用"):
        start(reissue_owed)
    order = PaymentOrder.objects.get()
    assert order.pay_url == ""
    assert len(gateway_channel.requests) == 2  # tried twice (same order number)

    gateway_channel.fail_with = None
    again = start(reissue_owed)

    assert again.pk == order.pk
    assert again.pay_url
    assert SimulatedOrder.objects.count() == 1


def test_a_late_notification_is_settled_by_the_query_on_return(
    reissue_owed, django_capture_on_commit_callbacks, gateway_channel
):
    from django.core.cache import cache

    order = start(reissue_owed)
    cache.set("pay-sim-mode", "quiet", None)  # the gateway takes the money, tells nobody
    pay_at_gateway(order, django_capture_on_commit_callbacks)
    cache.delete("pay-sim-mode")
    reissue_owed.refresh_from_db()
    assert reissue_owed.status == AppStatus.AWAITING_PAYMENT

    status = payment_check(user=reissue_owed.applicant, application=reissue_owed)

    assert status == AppStatus.SUBMITTED


def test_the_periodic_query_settles_a_late_notification(
    reissue_owed, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    order = start(reissue_owed)
    cache.set("pay-sim-mode", "quiet", None)
    pay_at_gateway(order, django_capture_on_commit_callbacks)
    cache.delete("pay-sim-mode")

    assert services.payments_query_open() == 0  # too soon: the notification may come
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert services.payments_query_open() == 1

    reissue_owed.refresh_from_db()
    assert reissue_owed.status == AppStatus.SUBMITTED


def test_unpaid_after_the_regions_days_closes_as_unpaid(reissue_owed, region):
    order = start(reissue_owed)
    with time_machine.travel(timezone.now() + timedelta(days=2, hours=23)):
        assert services.payments_close_unpaid() == 0
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        assert services.payments_close_unpaid() == 1
        assert services.payments_close_unpaid() == 0  # twice: once

    reissue_owed.refresh_from_db()
    order.refresh_from_db()
    assert reissue_owed.status == AppStatus.UNPAID
    assert reissue_owed.get_status_display() == "未缴费"
    assert order.status == OrderStatus.CLOSED
    with pytest.raises(DomainError, match="未缴费"):
        start(reissue_owed)


def test_a_payment_just_before_closing_is_kept(reissue_owed, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    order = start(reissue_owed)
    cache.set("pay-sim-mode", "quiet", None)
    pay_at_gateway(order, django_capture_on_commit_callbacks)
    cache.delete("pay-sim-mode")
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert services.payments_close_unpaid() == 0

    reissue_owed.refresh_from_db()
    assert reissue_owed.status == AppStatus.SUBMITTED


def _paid(application, capture):
    order = start(application)
    pay_at_gateway(order, capture)
    application.refresh_from_db()
    return order


def test_a_refused_application_refunds_its_fee(
    reissue_owed, reviewer, django_capture_on_commit_callbacks
):
    order = _paid(reissue_owed, django_capture_on_commit_callbacks)
    accepted = app_services.application_accept(application=reissue_owed, actor=reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        app_services.application_reject(
            application=accepted, actor=reviewer, reason="材料不实", reason_code="other"
        )

    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.amount_fen == 2000
    assert refund.reason == "不予通过"
    assert SimulatedRefund.objects.get().amount_fen == 2000
    assert AuditRecord.objects.filter(action="payment.refunded").count() == 1


def test_a_withdrawn_application_refunds_once_even_when_sent_twice(
    reissue_owed, django_capture_on_commit_callbacks
):
    from sscard.payments.refunds import refund_send

    order = _paid(reissue_owed, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        app_services.application_withdraw(
            requester=requester_for(reissue_owed.applicant, TrustLevel.L3),
            application=reissue_owed,
        )

    refund = Refund.objects.get(order=order)
    refund_send(refund_id=refund.pk)
    Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.PENDING)
    refund_send(refund_id=refund.pk)  # the gateway takes its number once

    assert SimulatedRefund.objects.count() == 1


def test_a_refund_the_gateway_did_not_take_is_retried(
    reissue_owed, reviewer, gateway_channel, django_capture_on_commit_callbacks
):
    import httpx

    from sscard.payments.refunds import refunds_retry

    _paid(reissue_owed, django_capture_on_commit_callbacks)
    gateway_channel.fail_with = httpx.ReadTimeout("slow")
    with django_capture_on_commit_callbacks(execute=True):
        app_services.application_withdraw(
            requester=requester_for(reissue_owed.applicant, TrustLevel.L3),
            application=reissue_owed,
        )
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.PENDING
    assert "超时" in refund.last_error

    gateway_channel.fail_with = None
    assert refunds_retry() == 1
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED


def test_an_approved_paid_application_keeps_its_fee(
    reissue_owed, reviewer, django_capture_on_commit_callbacks
):
    _paid(reissue_owed, django_capture_on_commit_callbacks)
    approve(reissue_owed, reviewer)

    assert not Refund.objects.exists()
