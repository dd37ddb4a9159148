"""manage.py reconcile_payments: our day against the gateway's statement file."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sscard.payments.constants import DifferenceKind
from sscard.payments.models import PaymentOrder, ReconciliationRun, SimulatedOrder
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
