"""Two notifications for one order at the same instant, on PostgreSQL with real connections:
the order is paid once, the application moves once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from sscard.accounts.trust import TrustLevel
from sscard.applications import services as app_services
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application, Material
from sscard.audit.models import AuditRecord
from sscard.conftest import jpeg
from sscard.payments.models import PaymentOrder, SimulatedOrder
from sscard.payments.services import payment_start
from sscard.payments.signing import signed_headers
from sscard.payments.simulator.notify import notification_body
from sscard.production.models import ProductionOrder
from sscard.testing.factories import CardFactory, requester_for
from sscard.testing.payments import RETURN_URL
from sscard.testing.races import assert_no_crashes, needs_row_locks, run_at_once

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True), needs_row_locks]


@pytest.mark.parametrize("goes_to", ["review", "production"])
def test_two_notifications_at_once_pay_once(
    citizen, bank, outlet, region, settings, gateway_channel, goes_to
):
    settings.SSCARD_PAYMENTS = True
    region.paid_fee_goes_to = goes_to  # production: approved by the system once, one new card
    region.save()
    Material.objects.create(person=citizen.person, kind="photo", file=jpeg(), size=1)
    card = CardFactory(person=citizen.person, lost_formally=True)
    application = app_services.application_submit_reissue(
        requester=requester_for(citizen, TrustLevel.L3_PLUS),
        card=card,
        data={"kind": "reissue", "bank": bank.code, "delivery": "outlet", "outlet": outlet.code},
    )
    order = payment_start(user=citizen, application=application, return_url=RETURN_URL)
    SimulatedOrder.objects.filter(out_trade_no=order.out_trade_no).update(
        state="SUCCESS", transaction_id="4200000009", success_time=timezone.now()
    )
    sim = SimulatedOrder.objects.get(out_trade_no=order.out_trade_no)
    bodies = [notification_body(sim), notification_body(sim)]  # two ids, as a resend has

    def deliver(body: bytes):
        def work():
            return (
                Client()
                .post(
                    "/payments/notify",
                    body,
                    content_type="application/json",
                    headers=signed_headers(body),
                )
                .status_code
            )

        return work

    outcomes = run_at_once(*[deliver(body) for body in bodies * 2])

    assert_no_crashes(outcomes)
    assert all(outcome.result == 200 for outcome in outcomes)
    application = Application.objects.get(pk=application.pk)
    assert application.status == (
        AppStatus.APPROVED if goes_to == "production" else AppStatus.SUBMITTED
    )
    assert application.events.filter(action="pay").count() == 1
    assert application.events.filter(action="approve").count() == (goes_to == "production")
    assert ProductionOrder.objects.count() == (goes_to == "production")
    assert AuditRecord.objects.filter(action="payment.paid").count() == 1
    assert PaymentOrder.objects.get().status == "paid"


def test_pay_pressed_twice_at_once_makes_one_gateway_order(
    citizen, bank, outlet, settings, gateway_channel
):
    settings.SSCARD_PAYMENTS = True
    Material.objects.create(person=citizen.person, kind="photo", file=jpeg(), size=1)
    card = CardFactory(person=citizen.person, lost_formally=True)
    application = app_services.application_submit_reissue(
        requester=requester_for(citizen, TrustLevel.L3_PLUS),
        card=card,
        data={"kind": "reissue", "bank": bank.code, "delivery": "outlet", "outlet": outlet.code},
    )

    def press():
        return payment_start(user=citizen, application=application, return_url=RETURN_URL)

    outcomes = run_at_once(press, press, press)

    assert_no_crashes(outcomes)
    assert len({outcome.result.pay_url for outcome in outcomes}) == 1
    assert PaymentOrder.objects.count() == 1
    assert SimulatedOrder.objects.count() == 1
