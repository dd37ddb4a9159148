"""manage.py reconcile_payments: our day against the gateway's statement file."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sscard.audit.models import AuditRecord
from sscard.payments.constants import DifferenceKind, RefundStatus
from sscard.payments.models import (
    PaymentOrder,
    ReconciliationRun,
    Refund,
    SimulatedOrder,
    SimulatedRefund,
)
from sscard.payments.services import payment_start
from sscard.testing.payments import RETURN_URL, pay_at_gateway

pytestmark = pytest.mark.django_db


def test_a_day_that_agrees_has_no_differences(
    reissue_owed, django_capture_on_commit_callbacks, capsys
):
    order = payment_start(
        user=reissue_owed.applicant, application=reissue_owed, return_url=RETURN_URL
    )
    pay_at_gateway(order, django_capture_on_commit_callbacks)

    call_command("reconcile_payments", "--date", timezone.localdate().isoformat())

    assert "本系统 1 笔，对账单 1 笔" in capsys.readouterr().out
    run = ReconciliationRun.objects.get()
    assert not run.differences.exists()


def test_every_difference_is_listed_and_stored(
    reissue_owed, django_capture_on_commit_callbacks, capsys
):
    order = payment_start(
        user=reissue_owed.applicant, application=reissue_owed, return_url=RETURN_URL
    )
    pay_at_gateway(order, django_capture_on_commit_callbacks)
    # the gateway says another amount; and a payment it has that we never heard of
    SimulatedOrder.objects.filter(out_trade_no=order.out_trade_no).update(amount_fen=1999)
    SimulatedOrder.objects.create(
        out_trade_no="PLOST0001",
        pay_token="t",
        description="x",
        amount_fen=2000,
        notify_url="http://testserver/payments/notify",
        state="SUCCESS",
        transaction_id="42009",
        success_time=timezone.now(),
        expires_at=timezone.now(),
    )
    # and one we hold paid that the gateway does not list
    PaymentOrder.objects.create(
        application=reissue_owed,
        out_trade_no="PGHOST0001",
        amount_fen=2000,
        status="paid",
        paid_at=timezone.now(),
        expires_at=timezone.now(),
    )

    with pytest.raises(CommandError, match="3 处差异"):
        call_command("reconcile_payments", "--date", timezone.localdate().isoformat())

    kinds = {(d.kind, d.reference) for d in ReconciliationRun.objects.get().differences.all()}
    assert kinds == {
        (DifferenceKind.AMOUNT, order.out_trade_no),
        (DifferenceKind.GATEWAY_ONLY, "PLOST0001"),
        (DifferenceKind.OURS_ONLY, "PGHOST0001"),
    }
    out = capsys.readouterr().out
    assert "金额不一致" in out and "20.00" in out and "19.99" in out


def test_no_statement_is_said_and_can_be_run_again(db, gateway_channel):
    import httpx

    gateway_channel.fail_with = httpx.ConnectError("down")
    with pytest.raises(CommandError, match="未取得对账单"):
        call_command("reconcile_payments", "--date", "2026-12-01")
    gateway_channel.fail_with = None

    call_command("reconcile_payments", "--date", "2026-12-01")

    run = ReconciliationRun.objects.get()
    assert run.error == ""


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reconcile_payments", "--date", "yesterday")


def _paid_and_withdrawn(application, capture):
    from sscard.accounts.trust import TrustLevel
    from sscard.applications import services as app_services
    from sscard.testing.factories import requester_for

    order = payment_start(
        user=application.applicant, application=application, return_url=RETURN_URL
    )
    pay_at_gateway(order, capture)
    with capture(execute=True):
        app_services.application_withdraw(
            requester=requester_for(application.applicant, TrustLevel.L3), application=application
        )
    return order, Refund.objects.get(order=order)


def test_refunds_are_reconciled_line_by_line(
    reissue_owed, django_capture_on_commit_callbacks, capsys
):
    order, refund = _paid_and_withdrawn(reissue_owed, django_capture_on_commit_callbacks)
    assert refund.status == RefundStatus.SUCCEEDED
    today = timezone.localdate().isoformat()

    call_command("reconcile_payments", "--date", today)

    assert "本系统 2 笔，对账单 2 笔" in capsys.readouterr().out  # the payment and its refund
    assert not ReconciliationRun.objects.get().differences.exists()

    # the gateway refunded another amount, and a refund we never recorded as done
    SimulatedRefund.objects.filter(out_refund_no=refund.out_refund_no).update(amount_fen=1000)
    SimulatedRefund.objects.create(
        out_refund_no="RLOST0001", out_trade_no=order.out_trade_no, refund_id="simr9", amount_fen=5
    )
    with pytest.raises(CommandError, match="2 处差异"):
        call_command("reconcile_payments", "--date", today)

    found = {
        (d.kind, d.entry, d.reference, d.ours_fen, d.theirs_fen)
        for d in ReconciliationRun.objects.get().differences.all()
    }
    assert found == {
        (DifferenceKind.AMOUNT, "REFUND", refund.out_refund_no, 2000, 1000),
        (DifferenceKind.GATEWAY_ONLY, "REFUND", "RLOST0001", None, 5),
    }


def test_yesterday_is_reconciled_by_itself_once(
    reissue_owed, django_capture_on_commit_callbacks, settings
):
    from datetime import datetime, timedelta

    import time_machine

    from sscard.payments.reconciliation import reconcile_yesterday
    from sscard.payments.tasks import reconcile_yesterday_task

    assert "sscard.payments.tasks.reconcile_yesterday_task" in settings.SSCARD_PERIODIC_TASKS
    order = payment_start(
        user=reissue_owed.applicant, application=reissue_owed, return_url=RETURN_URL
    )
    pay_at_gateway(order, django_capture_on_commit_callbacks)
    paid_on = timezone.localdate()
    tz = timezone.get_current_timezone()
    next_day = datetime.combine(paid_on + timedelta(days=1), datetime.min.time(), tzinfo=tz)

    with time_machine.travel(next_day + timedelta(hours=9, minutes=59)):
        assert reconcile_yesterday() is None  # the statement is published at 10:00
    with time_machine.travel(next_day + timedelta(hours=10, minutes=1)):
        assert reconcile_yesterday_task.call() == paid_on.isoformat()
        assert reconcile_yesterday_task.call() == ""  # done: not again
    with time_machine.travel(next_day + timedelta(hours=23)):
        assert reconcile_yesterday() is None

    run = ReconciliationRun.objects.get()
    assert (run.day, run.ours, run.theirs, run.error) == (paid_on, 1, 1, "")
    assert AuditRecord.objects.filter(action="payment.reconciled").count() == 1


def test_a_day_without_its_statement_is_tried_again_an_hour_later(db, gateway_channel, settings):
    from datetime import datetime, timedelta

    import httpx
    import time_machine

    from sscard.payments.reconciliation import reconcile_yesterday

    settings.SSCARD_PAYMENTS = True
    tz = timezone.get_current_timezone()
    morning = datetime(2026, 12, 2, 10, 30, tzinfo=tz)
    gateway_channel.fail_with = httpx.ConnectError("down")
    with time_machine.travel(morning):
        assert reconcile_yesterday().error
    gateway_channel.fail_with = None
    with time_machine.travel(morning + timedelta(minutes=30)):
        assert reconcile_yesterday() is None  # not every minute
    with time_machine.travel(morning + timedelta(hours=1, minutes=1)):
        run = reconcile_yesterday()

    assert run.day.isoformat() == "2026-12-01" and run.error == ""
    assert ReconciliationRun.objects.count() == 1


def test_no_reconciliation_where_no_payments_are_taken(db, settings):
    from sscard.payments.reconciliation import reconcile_yesterday

    settings.SSCARD_PAYMENTS = False
    assert reconcile_yesterday() is None
    assert not ReconciliationRun.objects.exists()
