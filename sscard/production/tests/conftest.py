from __future__ import annotations

import pytest

from sscard.applications.tests.helpers import approve, submit_apply
from sscard.testing.factories import UserFactory


@pytest.fixture
def make_orders(region, bank, outlet, reviewer):
    """``make_orders(n, delivery="outlet")``: n approved card applications' orders."""

    def make(n: int = 1, **overrides):
        orders = []
        for _ in range(n):
            user = UserFactory()
            if overrides.get("delivery") == "mail":
                overrides.setdefault("mail_address", "广东省揭阳市榕城区新阳路18号")
            application = approve(submit_apply(user, bank, outlet, **overrides), reviewer)
            orders.append(application.production_order)
        return orders

    return make
