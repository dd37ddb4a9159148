from __future__ import annotations

import pytest

from sscard.testing.factories import ApplicationFactory


@pytest.fixture
def make_orders(region, bank, outlet, reviewer):
    """``make_orders(n, delivery="outlet")``: n approved card applications' orders (written
    directly: the chain to 审核通过 is tested in ``sscard.applications``)."""

    def make(n: int = 1, delivery: str = "outlet"):
        return [
            ApplicationFactory(
                approved=True,
                bank=bank,
                delivery=delivery,
                outlet=outlet if delivery == "outlet" else None,
                reviewer=reviewer,
            ).production_order
            for _ in range(n)
        ]

    return make
