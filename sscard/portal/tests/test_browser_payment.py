"""补换卡 with its ¥20 paid online, end to end in browsers against the live server and its
simulated payment gateway: the citizen sees 待缴费, pays on the gateway's page, comes back to
已提交; the reviewer signs in with both factors and approves — or refuses, and the fee goes
back (已退款)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from sscard.accounts.models import User
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application, Material
from sscard.conftest import jpeg
from sscard.core.trust import Action
from sscard.payments.constants import RefundStatus
from sscard.payments.models import Refund
from sscard.portal.tests.conftest import open_item, password_login
from sscard.regions.selectors import region_settings
from sscard.testing.browser import shot
from sscard.testing.factories import CardFactory, StaffFactory
from sscard.testing.otp import otp_browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STAFF_PASSWORD = "Staff-password-2026"


@pytest.fixture
def paying(settings, live_server):
    """Online payment on, through the simulated gateway this live server serves."""
    settings.SSCARD_PAYMENTS = True
    settings.SSCARD_PUBLIC_URL = live_server.url
    settings.SSCARD_PAYMENT_GATEWAY_URL = live_server.url + "/pay-sim/api"
    region = region_settings()
    region.action_levels = dict.fromkeys(Action, "L3")  # the step-up is walked elsewhere
    region.save()


def reissue_and_pay(phone, citizen_user, partners) -> Application:
    bank, outlet = partners
    card = CardFactory(person=citizen_user.person, bank=bank, lost_formally=True)
    Material.objects.create(
        person=citizen_user.person, kind="photo", file=ContentFile(jpeg().read(), "p.jpg")
    )
    password_login(phone, "zhangsan")
    open_item(phone, "社会保障卡补换卡")
    phone.get_by_label("本人的社会保障卡").check()
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("radio", name="补卡", exact=True).check()
    phone.get_by_label("领卡网点").select_option(outlet.code)
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_text("待缴费").first).to_be_visible()
    expect(phone.get_by_text("应缴 ¥20.00")).to_be_visible()
    shot(phone, "receipt-awaiting-payment")
    application = Application.objects.get(item="reissue", card=card)
    assert application.status == AppStatus.AWAITING_PAYMENT

    # 取消 on the gateway's page: back, still 待缴费, 去支付 again
    phone.get_by_role("button", name="去支付").click()
    expect(phone.get_by_role("heading", name="收银台（演示）")).to_be_visible()
    phone.get_by_role("button", name="取消").click()
    expect(phone.get_by_text("尚未完成支付")).to_be_visible()

    phone.get_by_role("button", name="去支付").click()
    expect(phone.get_by_text("¥20.00")).to_be_visible()
    shot(phone, "pay-sim-cashier")
    phone.get_by_role("button", name="支付", exact=True).click()
    expect(phone.get_by_text("已支付，办件已进入审核")).to_be_visible()
    expect(phone.get_by_text("已提交").first).to_be_visible()
    shot(phone, "receipt-paid")
    application.refresh_from_db()
    assert application.status == AppStatus.SUBMITTED
    return application


def reviewer_opens(desktop, application: Application) -> None:
    reviewer = StaffFactory(role=User.Role.REVIEWER, password=STAFF_PASSWORD)
    desktop.goto("/staff/login/")
    otp_browser_login(desktop, reviewer, STAFF_PASSWORD)
    desktop.goto(f"/staff/applications/{application.pk}/")
    expect(desktop.get_by_role("heading", name="缴费与退款")).to_be_visible()


def test_a_reissue_is_paid_then_reviewed_and_approved(
    phone, desktop, citizen_user, partners, paying
):
    application = reissue_and_pay(phone, citizen_user, partners)

    reviewer_opens(desktop, application)
    shot(desktop, "staff-application-paid")
    desktop.get_by_role("button", name="受理", exact=True).click()
    desktop.get_by_text("已受理，办理时限开始计算").wait_for()
    desktop.get_by_role("button", name="审核通过").click()
    desktop.get_by_text("已审核通过，转入制卡").wait_for()

    application.refresh_from_db()
    assert application.status == AppStatus.APPROVED
    assert not Refund.objects.exists()


def test_a_refused_paid_reissue_is_refunded(phone, desktop, citizen_user, partners, paying):
    application = reissue_and_pay(phone, citizen_user, partners)

    reviewer_opens(desktop, application)
    desktop.locator("#reject-code").select_option("duplicate")
    desktop.locator("#reject-reason").fill("重复申请")
    desktop.get_by_role("button", name="不予受理").click()
    desktop.get_by_text("不予受理").first.wait_for()
    desktop.goto(f"/staff/applications/{application.pk}/")
    expect(desktop.get_by_text("已退款 ¥20.00（不予受理）")).to_be_visible()
    shot(desktop, "staff-application-refunded")

    refund = Refund.objects.get()
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount_fen == 2000
    phone.reload()
    expect(phone.get_by_text("已退款")).to_be_visible()
    shot(phone, "receipt-refunded")
    # the holder was told both: the fee paid, then the fee going back
    phone.goto("/messages/")
    expect(phone.get_by_text("工本费已缴纳")).to_be_visible()
    expect(phone.get_by_text("工本费将原路退回")).to_be_visible()
    shot(phone, "messages-fee-refunded")


def test_the_administrator_reads_payments_and_the_reconciliation(desktop, bank, outlet):
    from django.utils import timezone

    from sscard.applications.tests.helpers import submit_apply
    from sscard.payments.models import PaymentOrder, ReconciliationRun
    from sscard.testing.factories import UserFactory

    admin = StaffFactory(role=User.Role.ADMIN, password=STAFF_PASSWORD)
    application = submit_apply(UserFactory(), bank, outlet)
    PaymentOrder.objects.create(
        application=application,
        out_trade_no="PBROWSER0001",
        amount_fen=2000,
        status="paid",
        paid_at=timezone.now(),
        expires_at=timezone.now(),
    )
    run = ReconciliationRun.objects.create(day=timezone.localdate(), ours=1, theirs=0)
    run.differences.create(
        kind="ours_only", entry="SUCCESS", reference="PBROWSER0001", ours_fen=2000
    )

    desktop.goto("/staff/login/")
    otp_browser_login(desktop, admin, STAFF_PASSWORD)
    desktop.get_by_role("link", name="缴费与对账").click()
    expect(desktop.get_by_role("heading", name="缴费与对账")).to_be_visible()
    expect(desktop.get_by_text("1 处差异")).to_be_visible()
    expect(desktop.get_by_text("本系统有、支付机构无")).to_be_visible()
    shot(desktop, "staff-payments")
