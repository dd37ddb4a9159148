"""Staff see an application's payments and refunds on its page; the 系统管理员 sees every
order and the reconciliation's differences in 缴费与对账."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from sscard.accounts.models import User
from sscard.applications import services as app_services
from sscard.payments.models import SimulatedOrder
from sscard.payments.services import payment_start
from sscard.testing.factories import StaffFactory
from sscard.testing.payments import RETURN_URL, pay_at_gateway
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db


def test_the_application_page_shows_the_payment_and_the_refund(
    reissue_owed, reviewer, django_capture_on_commit_callbacks
):
    order = payment_start(
        user=reissue_owed.applicant, application=reissue_owed, return_url=RETURN_URL
    )
    pay_at_gateway(order, django_capture_on_commit_callbacks)
    reissue_owed.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        app_services.application_reject(
            application=reissue_owed, actor=reviewer, reason="重复申请", reason_code="duplicate"
        )

    page = staff_client(reviewer).get(reverse("backoffice:application", args=[reissue_owed.pk]))

    text = page.content.decode()
    assert "缴费与退款" in text
    assert order.out_trade_no in text
    assert "已支付" in text and "已退款 ¥20.00（不予受理）" in text  # refused before acceptance


def test_the_administrator_sees_orders_and_the_reconciliations_differences(
    reissue_owed, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    order = payment_start(
        user=reissue_owed.applicant, application=reissue_owed, return_url=RETURN_URL
    )
    pay_at_gateway(order, django_capture_on_commit_callbacks)
    SimulatedOrder.objects.filter(out_trade_no=order.out_trade_no).update(amount_fen=1999)
    with pytest.raises(Exception, match="1 处差异"):
        call_command("reconcile_payments", "--date", timezone.localdate().isoformat())
    admin = StaffFactory(role=User.Role.ADMIN)

    page = staff_client(admin).get(reverse("backoffice:payments"))

    text = page.content.decode()
    assert order.out_trade_no in text and reissue_owed.receipt_number in text
    assert "1 处差异" in text and "金额不一致" in text and "1999" in text
    assert "缴费与对账" in staff_client(admin).get(reverse("backoffice:home")).content.decode()
