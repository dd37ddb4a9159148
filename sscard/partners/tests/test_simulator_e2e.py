"""End to end over HTTP: the simulated bank and factory work a live server's batches from
审核通过 to 网点签收; one card fails, the production officer resends it in a new batch, and
each citizen's 制卡进度查询 shows every stage with its time and place."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications.models import Application
from sscard.applications.selectors import query_progress
from sscard.applications.tests.helpers import approve, submit_apply
from sscard.production.constants import BatchStatus, Stage
from sscard.production.models import Batch, ProductionOrder
from sscard.production.services import batch_create, batch_send
from sscard.testing.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def simulate(url: str) -> str:
    out = io.StringIO()
    call_command(
        "simulate_partners",
        url=url,
        delay=0,
        until_idle=True,
        max_seconds=60,
        failure_share=0.34,
        seed=7,
        stdout=out,
    )
    return out.getvalue()


def test_the_simulator_takes_cards_to_the_outlet_and_a_failed_one_is_resent(
    live_server, region, bank, outlet, reviewer, producer
):
    applications = [approve(submit_apply(UserFactory(), bank, outlet), reviewer) for _ in range(3)]
    orders = [a.production_order for a in applications]
    batch_send(batch=batch_create(bank=bank, order_ids=None, actor=producer), actor=producer)

    log = simulate(live_server.url)

    stages = dict(ProductionOrder.objects.values_list("pk", "stage"))
    assert sorted(stages.values()) == [Stage.FAILED, Stage.OUTLET, Stage.OUTLET], log
    (failed,) = ProductionOrder.objects.filter(stage=Stage.FAILED)
    assert failed.failure_reason
    first = Batch.objects.get()
    assert first.status == BatchStatus.DONE and first.acknowledged_by

    # the production officer sends the failed order again, in a new batch
    resend = batch_create(bank=bank, order_ids=[failed.pk], actor=producer)
    batch_send(batch=resend, actor=producer)
    simulate(live_server.url)

    assert set(ProductionOrder.objects.values_list("stage", flat=True)) == {Stage.OUTLET}
    for order in orders:
        order.refresh_from_db()
        assert order.card.masked_bank_account.startswith("****")
    for application in applications:
        application = Application.objects.get(pk=application.pk)
        progress = query_progress(
            requester=Requester(user=application.applicant, trust=TrustLevel.L3),
            subject=application.subject,
        )
        steps = {step.label: step for step in progress.steps}
        for label in ("已受理", "审核通过", "数据录入", "制卡中", "市银行签收", "网点签收"):
            assert steps[label].reached and steps[label].at is not None, label
        assert steps["网点签收"].place == outlet.name
        assert steps["市银行签收"].place == f"{bank.name}揭阳分行"
        assert not steps["已领卡"].reached
        assert progress.ready_for_handover and progress.failed_reason == ""
        history = [h.label for h in progress.history]
        if application.production_order_id == failed.pk:
            assert history.count("制卡失败") == 1 and history.count("数据录入") == 2
        else:
            assert "制卡失败" not in history
