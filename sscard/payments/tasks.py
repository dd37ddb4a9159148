from __future__ import annotations

from sscard.core.tasks import task
from sscard.payments.reconciliation import reconcile_yesterday
from sscard.payments.refunds import refund_send, refunds_retry
from sscard.payments.services import payments_close_unpaid, payments_query_open


@task()
def send_refund_task(refund_id: int) -> str:
    """Send one refund to the gateway. Safe to run twice (the gateway takes its number once)."""
    return refund_send(refund_id=refund_id)


@task()
def query_open_payments_task() -> int:
    """Ask the gateway about open orders whose notification is late; close lapsed ones."""
    return payments_query_open()


@task()
def close_unpaid_applications_task() -> int:
    """未缴费 for applications left unpaid past the region's payment days."""
    return payments_close_unpaid()


@task()
def retry_refunds_task() -> int:
    """Send again the refunds the gateway has not confirmed."""
    return refunds_retry()


@task()
def reconcile_yesterday_task() -> str:
    """Reconcile yesterday with the gateway's statement, once a day (the date reconciled, or
    empty when none was due). Safe to run twice: a day done is not done again."""
    run = reconcile_yesterday()
    return run.day.isoformat() if run is not None else ""
