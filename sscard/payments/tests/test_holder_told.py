"""The holder is told about their money: 工本费已缴纳 once the fee is paid (whatever number of
times the gateway repeats itself), 工本费将原路退回 with the amount and the reason once a paid
fee goes back — each once, in the 消息中心 of the account that applied."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.test import Client

from sscard.accounts.trust import TrustLevel
from sscard.applications import services as app_services
from sscard.notifications.constants import Channel, Event
from sscard.notifications.defaults import DEFAULT_TEMPLATES
from sscard.notifications.models import Message, MessageTemplate
from sscard.payments.models import PaymentOrder, SimulatedOrder
from sscard.payments.services import payment_start
from sscard.payments.signing import signed_headers
from sscard.payments.simulator.notify import notification_body
from sscard.testing.factories import requester_for
from sscard.testing.payments import RETURN_URL, pay_at_gateway

pytestmark = pytest.mark.django_db


def told(user, event: str) -> list[Message]:
    return list(Message.objects.filter(user=user, channel=Channel.INBOX, notification__event=event))


def paid(application, capture) -> PaymentOrder:
    order = payment_start(
        user=application.applicant, application=application, return_url=RETURN_URL
    )
    pay_at_gateway(order, capture)
    application.refresh_from_db()
    return order


def test_paying_tells_the_holder_once_with_the_amount(
    reissue_owed, django_capture_on_commit_callbacks
):
    order = paid(reissue_owed, django_capture_on_commit_callbacks)
    # the gateway sends its notification again (it did not hear our answer)
    sim = SimulatedOrder.objects.get(out_trade_no=order.out_trade_no)
    body = notification_body(sim)
    again = Client().post(
        "/payments/notify", body, content_type="application/json", headers=signed_headers(body)
    )
    assert again.status_code == 200

    (message,) = told(reissue_owed.applicant, Event.PAYMENT_PAID)
    assert message.title == "工本费已缴纳"
    assert "¥20.00" in message.body
    assert reissue_owed.receipt_number in message.body
    assert "申请已进入办理" in message.body
    assert reissue_owed.subject.name not in message.body  # the name masked
    assert told(reissue_owed.applicant, Event.PAYMENT_REFUNDED) == []


def test_a_refused_application_tells_the_holder_the_fee_goes_back_once(
    reissue_owed, reviewer, django_capture_on_commit_callbacks
):
    paid(reissue_owed, django_capture_on_commit_callbacks)
    accepted = app_services.application_accept(application=reissue_owed, actor=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        app_services.application_reject(
            application=accepted, actor=reviewer, reason="材料不实", reason_code="other"
        )

    (message,) = told(reissue_owed.applicant, Event.PAYMENT_REFUNDED)
    assert message.title == "工本费将原路退回"
    assert "¥20.00" in message.body and "不予通过" in message.body
    assert reissue_owed.receipt_number in message.body


def test_refused_before_acceptance_the_refund_says_so(
    reissue_owed, reviewer, django_capture_on_commit_callbacks
):
    paid(reissue_owed, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        app_services.application_reject(
            application=reissue_owed, actor=reviewer, reason="重复申请", reason_code="duplicate"
        )

    (message,) = told(reissue_owed.applicant, Event.PAYMENT_REFUNDED)
    assert "（原因：不予受理）" in message.body


def test_a_withdrawal_tells_the_refund_once_however_often_the_refund_is_sent(
    reissue_owed, django_capture_on_commit_callbacks
):
    from sscard.payments.refunds import refund_create, refunds_retry

    order = paid(reissue_owed, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        app_services.application_withdraw(
            requester=requester_for(reissue_owed.applicant, TrustLevel.L3),
            application=reissue_owed,
        )
    refund_create(order=order, reason="申请人撤回")  # asked again: the first refund stands
    refunds_retry()

    (message,) = told(reissue_owed.applicant, Event.PAYMENT_REFUNDED)
    assert "申请人撤回" in message.body


def test_the_seeded_fee_notice_stops_promising_a_review_and_an_administrators_stays():
    migration = import_module("sscard.notifications.migrations.0012_payment_paid_says_no_review")
    assert DEFAULT_TEMPLATES[Event.PAYMENT_PAID][1] == migration.NOW
    MessageTemplate.objects.filter(event=Event.PAYMENT_PAID).update(body=migration.SEEDED)
    migration.reword(apps, None)
    (body,) = MessageTemplate.objects.filter(event=Event.PAYMENT_PAID).values_list(
        "body", flat=True
    )
    assert "审核" not in body and "申请已进入办理" in body
    migration.unreword(apps, None)
    MessageTemplate.objects.filter(event=Event.PAYMENT_PAID).update(body="管理员改写的内容")
    migration.reword(apps, None)
    assert MessageTemplate.objects.get(event=Event.PAYMENT_PAID).body == "管理员改写的内容"
