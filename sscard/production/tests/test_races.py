"""A partner's report and the officer's 制卡失败 on the same batch at once, on real parallel
connections: both lock the order before the audit chain's end and the batch's row last (the
lock order of production.services), so neither waits for the other while holding what the
other needs (a deadlock: one would fail with a database error instead of an answer)."""

from __future__ import annotations

import time

import pytest

from sscard.production import reports
from sscard.production.constants import Stage
from sscard.production.reports import ReportsRejected, batch_apply_reports
from sscard.production.services import order_fail
from sscard.production.tests.test_batches import BY, sent_batch, stage
from sscard.testing.races import run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

JOIN_TIMEOUT = 60


def test_a_partner_report_and_the_officers_failure_on_one_batch_do_not_deadlock(
    make_orders, bank, producer, monkeypatch
):
    a, b = make_orders(2)
    batch = sent_batch(bank, [a, b], producer)
    real_apply = reports._apply

    def slow_apply(*args, **kwargs):  # the partner's request holds the order's lock a while
        time.sleep(0.6)
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(reports, "_apply", slow_apply)

    def partner() -> None:
        batch_apply_reports(batch=batch, reports=[("0", stage(b.pk, "producing"))], by=BY)

    def officer() -> None:
        time.sleep(0.2)  # after the partner's request has locked the order
        order_fail(order=b, reason="芯片损坏", actor=producer)

    report, failure = run_at_once(partner, officer, timeout=JOIN_TIMEOUT)
    assert failure.ok, failure.trace
    assert report.ok or isinstance(report.error, ReportsRejected), report.trace
    b.refresh_from_db()
    if not report.ok:  # the failure came first: the report was refused
        assert b.stage == Stage.FAILED
    else:  # the report came first and the failure after it
        assert b.stage == Stage.FAILED
        assert b.events.filter(stage=Stage.PRODUCING).exists()
