"""A partner's report and the officer's 制卡失败 on the same batch at once, on real parallel
connections: the report locks the batch before its orders, so the officer's move must not
take the batch's lock while holding an order's (the two would deadlock and one would fail
with a database error instead of an answer)."""

from __future__ import annotations

import threading
import time
import traceback

import pytest
from django.db import connection

from sscard.production import reports
from sscard.production.constants import Stage
from sscard.production.reports import ReportsRejected, batch_apply_reports
from sscard.production.services import order_fail
from sscard.production.tests.test_batches import BY, sent_batch, stage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

JOIN_TIMEOUT = 60


def test_a_partner_report_and_the_officers_failure_on_one_batch_do_not_deadlock(
    make_orders, bank, producer, monkeypatch
):
    a, b = make_orders(2)
    batch = sent_batch(bank, [a, b], producer)
    real_report = reports.order_report

    def slow_report(**kwargs):  # the partner's request holds the batch's lock a while
        time.sleep(0.6)
        return real_report(**kwargs)

    monkeypatch.setattr(reports, "order_report", slow_report)
    outcomes: dict[str, str] = {}
    crashes: list[str] = []

    def partner() -> None:
        try:
            batch_apply_reports(batch=batch, reports=[("0", stage(b.pk, "producing"))], by=BY)
            outcomes["partner"] = "applied"
        except ReportsRejected:
            outcomes["partner"] = "rejected"
        except Exception:
            crashes.append(traceback.format_exc())
        finally:
            connection.close()

    def officer() -> None:
        try:
            time.sleep(0.2)  # after the partner's request has locked the batch
            order_fail(order=b, reason="芯片损坏", actor=producer)
            outcomes["officer"] = "failed the order"
        except Exception:
            crashes.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=partner), threading.Thread(target=officer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert crashes == []
    assert outcomes.keys() == {"partner", "officer"}
    b.refresh_from_db()
    if outcomes["partner"] == "rejected":  # the failure came first: the report was refused
        assert b.stage == Stage.FAILED
    else:  # the report came first and the failure after it
        assert b.stage == Stage.FAILED
        assert b.events.filter(stage=Stage.PRODUCING).exists()
