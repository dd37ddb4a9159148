from __future__ import annotations

import pytest

from sscard.accounts.models import User
from sscard.partners.models import Partner
from sscard.partners.services import partner_create
from sscard.production.services import batch_create, batch_send
from sscard.testing.factories import ApplicationFactory, BankFactory, OutletFactory, StaffFactory


@pytest.fixture
def bank_partner(bank):
    return partner_create(name="工商银行接口", kind=Partner.Kind.BANK, bank=bank, actor=None)


@pytest.fixture
def factory_partner(bank):
    return partner_create(name="制卡厂", kind=Partner.Kind.FACTORY, bank=bank, actor=None)


@pytest.fixture
def make_batch(region, reviewer):
    """``make_batch(bank, n)``: a sent batch of n new approved orders of ``bank`` (the orders
    written directly; the batch created and sent by the services under test)."""
    producer = StaffFactory(role=User.Role.PRODUCER)

    def make(bank, n=1, outlet=None, delivery="outlet"):
        outlet = (outlet or OutletFactory(bank=bank)) if delivery == "outlet" else None
        orders = [
            ApplicationFactory(
                approved=True, bank=bank, delivery=delivery, outlet=outlet, reviewer=reviewer
            ).production_order
            for _ in range(n)
        ]
        batch = batch_create(bank=bank, order_ids=[o.pk for o in orders], actor=producer)
        return batch_send(batch=batch, actor=producer)

    return make


@pytest.fixture
def other_bank(db):
    return BankFactory(code="BOC", name="中国银行")
