"""The demo's card production is consistent: every order it sent to a bank went there in a
batch of that bank, as the production officer sends them, so the partner simulator takes
the ones still being made further (none is left stuck on /staff/production/)."""

from __future__ import annotations

import pytest
from django.db.models import Count, F, Q

from sscard.demo.tests.test_seed_demo import seed
from sscard.partners.management.commands.simulate_partners import local_partners
from sscard.partners.simulator import PartnerClient, Simulator
from sscard.production.constants import IN_PRODUCTION_STAGES, BatchStatus, Stage
from sscard.production.models import Batch, ProductionOrder
from sscard.production.selectors import orders_stuck
from sscard.regions.models import Bank

# the live server reads what the test wrote: committed, not inside a test transaction
pytestmark = pytest.mark.django_db(transaction=True)


def test_every_order_sent_to_a_bank_is_in_a_batch_and_the_simulator_moves_them_on(
    live_server,
):
    seed()

    sent = ProductionOrder.objects.exclude(stage=Stage.APPROVED)
    assert set(sent.values_list("stage", flat=True)) == set(Stage.values) - {Stage.APPROVED}
    assert not sent.filter(batch__isnull=True).exists()
    # a batch is one bank's, sent; the orders waiting for one are in none
    assert not sent.exclude(batch__bank=F("bank")).exists()
    assert not ProductionOrder.objects.filter(stage=Stage.APPROVED, batch__isnull=False).exists()
    assert not Batch.objects.filter(status=BatchStatus.DRAFT).exists()
    # a batch is open (sent or acknowledged) exactly while one of its orders is being made
    batches = Batch.objects.annotate(
        making=Count("orders", filter=Q(orders__stage__in=IN_PRODUCTION_STAGES))
    )
    assert batches.filter(making__gt=0).exists()
    for batch in batches:
        assert (batch.status == BatchStatus.DONE) == (batch.making == 0), batch.number
    assert Batch.objects.filter(status=BatchStatus.SENT).exists()  # for the simulator to take
    assert not Batch.objects.filter(status=BatchStatus.ACKNOWLEDGED, acknowledged_by="").exists()

    making = dict(
        ProductionOrder.objects.filter(stage__in=IN_PRODUCTION_STAGES).values_list("pk", "stage")
    )
    for bank in Bank.objects.filter(active=True):
        bank_partner, factory_partner = local_partners(bank)
        Simulator(
            bank=PartnerClient(live_server.url, bank_partner.key_id, bank_partner.secret),
            factory=PartnerClient(live_server.url, factory_partner.key_id, factory_partner.secret),
            failure_share=0,
        ).tick()

    after = dict(ProductionOrder.objects.filter(pk__in=making).values_list("pk", "stage"))
    # one pass: every order with the bank or the factory moved one stage on
    assert making and all(after[pk] != stage for pk, stage in making.items())
    assert not orders_stuck().exists()
