"""Paying in tests: online payment on, the gateway (the simulated one) reached in-process, an
application that owes ¥20, and the citizen pressing 支付 on the gateway's page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from sscard.accounts.trust import TrustLevel
from sscard.applications import services as app_services
from sscard.applications.models import Application, Material
from sscard.cards.models import Card
from sscard.conftest import jpeg
from sscard.payments.models import PaymentOrder, SimulatedOrder
from sscard.testing.factories import CardFactory, requester_for
from sscard.testing.http import BackChannel, back_channel_routed

RETURN_URL = "http://testserver/my/back"


@pytest.fixture
def payments_on(settings):
    settings.SSCARD_PAYMENTS = True


@pytest.fixture
def gateway_channel(db) -> Iterator[BackChannel]:
    """Every call to the payment gateway, and its notifications back to us, in-process."""
    with back_channel_routed(BackChannel()) as channel:
        yield channel


@pytest.fixture
def reissue_owed(citizen, bank, outlet, payments_on, gateway_channel) -> Application:
    """A citizen's 补卡 that owes the region's ¥20 and waits in 待缴费."""
    Material.objects.create(
        person=citizen.person,
        kind="photo",
        file=jpeg("first.jpg"),
        content_type="image/jpeg",
        size=1000,
    )
    card: Card = CardFactory(person=citizen.person, lost_formally=True)
    return app_services.application_submit_reissue(
        requester=requester_for(citizen, TrustLevel.L3_PLUS),
        card=card,
        data={"kind": "reissue", "bank": bank.code, "delivery": "outlet", "outlet": outlet.code},
    )


def pay_at_gateway(order: PaymentOrder, capture: Any, *, action: str = "pay") -> None:
    """The citizen on the gateway's page presses 支付 (or 取消); the gateway's notification
    goes out after its commit, as the worker sends it."""
    sim = SimulatedOrder.objects.get(out_trade_no=order.out_trade_no)
    with capture(execute=True):
        response = Client().post(f"/pay-sim/pay/{sim.pay_token}", {"action": action})
    assert response.status_code == 302  # noqa: S101
