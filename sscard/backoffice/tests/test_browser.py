"""The back office in Debian's chromium at 1366 × 900: each role signs in with its password
and TOTP code and does its day's work by the labels on screen. Screenshots are saved under
var/screenshots/staff-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sscard.accounts.models import User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.applications.tests.helpers import approve, produce_to_outlet, submit_apply
from sscard.cards.constants import CardStatus
from sscard.conftest import jpeg
from sscard.production import services as production
from sscard.production.constants import Stage
from sscard.testing.browser import shot
from sscard.testing.factories import CardFactory, StaffFactory, UserFactory
from sscard.testing.otp import otp_browser_login

pytestmark = pytest.mark.browser
PASSWORD = "Staff-password-2026"


def staff(role: str, **extra) -> User:
    return StaffFactory(role=role, password=PASSWORD, **extra)


def test_a_reviewer_decides_applications_of_every_kind(desktop, bank, outlet):
    reviewer = staff(User.Role.REVIEWER, username="shen.reviewer")
    colleague = StaffFactory(username="colleague")
    citizen = UserFactory()
    to_approve = submit_apply(UserFactory(), bank, outlet)
    to_return = services.application_accept(
        application=submit_apply(citizen, bank, outlet), actor=colleague
    )
    to_reject = submit_apply(UserFactory(), bank, outlet)
    card = CardFactory(lost_formally=True, bank=bank)
    reissue = services.application_submit_reissue(
        requester=Requester(user=UserFactory(person=card.person), trust=TrustLevel.L4),
        card=card,
        data={"kind": "reissue", "bank": bank.code, "delivery": "outlet", "outlet": outlet.code},
        files={"photo": jpeg()},
    )

    page = desktop
    page.goto("/staff/login/")
    shot(page, "staff-login")
    otp_browser_login(page, reviewer, PASSWORD)
    shot(page, "staff-home-reviewer")
    page.get_by_role("link", name="审核队列").click()
    page.get_by_role("heading", name="审核队列").wait_for()
    shot(page, "staff-queue")

    # by keyboard: "/" to search, the receipt number, J to the row, Enter to open it
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type(to_approve.receipt_number)
    page.keyboard.press("Enter")
    page.get_by_text(f"搜索“{to_approve.receipt_number}”").wait_for()
    assert page.locator("#results tbody tr").count() == 1
    page.get_by_role("heading", name="审核队列").click()  # leave the search box
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="社会保障卡申领").wait_for()

    # 申领: 受理, then 审核通过
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_text("已受理，办理时限开始计算").wait_for()
    expect(page.get_by_text("剩余 25 个工作日")).to_be_visible()
    shot(page, "staff-application-accepted")
    page.get_by_role("button", name="审核通过").click()
    page.get_by_text("已审核通过，转入制卡").wait_for()

    # 退回补正 pauses the clock …
    page.get_by_label("状态").select_option("accepted")
    page.get_by_role("link", name=to_return.receipt_number).wait_for()
    page.get_by_role("link", name=to_return.receipt_number).click()
    page.get_by_label("退回原因").select_option(label="照片不符合制卡要求")
    page.get_by_label("补正说明").fill("照片背景不是白色，请重新上传")
    shot(page, "staff-application-return")
    page.get_by_role("button", name="退回补正").click()
    page.get_by_text("已退回补正，办理时限暂停计算").wait_for()
    page.goto(f"/staff/applications/{to_return.pk}/")
    expect(page.get_by_text("退回补正中，计时暂停")).to_be_visible()
    shot(page, "staff-application-paused")
    # … and the applicant's correction resumes it
    services.application_resubmit(
        requester=Requester(user=citizen, trust=TrustLevel.L4),
        application=to_return,
        data={},
        files={"photo": jpeg()},
    )
    page.reload()
    expect(page.get_by_text("剩余 25 个工作日")).to_be_visible()
    page.get_by_role("button", name="审核通过").click()
    page.get_by_text("已审核通过，转入制卡").wait_for()

    # 不予受理 with its reason
    page.goto(f"/staff/applications/{to_reject.pk}/")
    page.get_by_label("原因类别").select_option(label="重复申请")
    page.get_by_label("说明").fill("已在窗口提交申领")
    page.get_by_role("button", name="不予受理").click()
    page.get_by_text("已不予受理").first.wait_for()

    # 补换卡: the same decisions
    page.goto(f"/staff/applications/{reissue.pk}/")
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_role("button", name="审核通过").click()
    page.get_by_text("已审核通过，转入制卡").wait_for()

    # the photo and the audited reveal
    page.goto(f"/staff/applications/{to_approve.pk}/")
    expect(page.get_by_role("img", name="证件照")).to_be_visible()
    page.get_by_role("button", name="显示完整信息").click()
    page.get_by_text("完整信息（已记录查看）").wait_for()
    shot(page, "staff-application-revealed")

    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[to_approve.pk] == AppStatus.APPROVED
    assert statuses[to_return.pk] == AppStatus.APPROVED
    assert statuses[to_reject.pk] == AppStatus.REJECTED
    assert statuses[reissue.pk] == AppStatus.APPROVED
    to_return.refresh_from_db()
    assert to_return.paused_days == 0  # returned and resubmitted on the same day


def test_a_clerk_signs_a_card_in_and_hands_it_over(desktop, bank, outlet, reviewer, producer):
    clerk = staff(User.Role.CLERK, username="wu.clerk", outlet=outlet)
    application = approve(submit_apply(UserFactory(), bank, outlet), reviewer)
    order = application.production_order
    production.order_send_data(order=order, actor=producer)
    for stage in (Stage.PRODUCING, Stage.CITY_BANK):
        production.order_advance(order=order, to=stage, actor=producer)
    person = application.subject

    page = desktop
    otp_browser_login(page, clerk, PASSWORD)
    page.get_by_role("link", name="网点发卡").click()
    shot(page, "staff-outlet")
    page.get_by_role("button", name="网点签收").click()
    page.get_by_text("已签收：卡号").wait_for()
    page.get_by_role("link", name="核验身份并发卡").click()
    page.get_by_label("领卡人证件号码").fill("445202199001011234")
    page.get_by_role("button", name="核验并发卡").click()
    page.get_by_role("alert").first.wait_for()
    shot(page, "staff-handover-refused")
    page.get_by_label("领卡人证件号码").fill(person.doc_number)
    page.get_by_role("button", name="核验并发卡").click()
    page.get_by_text("已发卡：卡号").wait_for()
    shot(page, "staff-outlet-after-handover")
    order.refresh_from_db()
    application.refresh_from_db()
    assert order.card.status == CardStatus.SEALED
    assert application.status == AppStatus.COMPLETED

    # 窗口代办 for the same person: the card is enabled at the counter
    page.get_by_role("link", name="窗口代办").click()
    page.get_by_label("证件号码").fill(person.doc_number)
    page.get_by_role("button", name="查找").click()
    page.get_by_role("heading", name="办事人").wait_for()
    shot(page, "staff-counter")
    page.get_by_role("link", name="社会保障卡启用").click()
    page.get_by_label("社保服务密码（6位数字）").fill("135790")
    page.get_by_label("再次输入").fill("135790")
    shot(page, "staff-counter-enable")
    page.get_by_role("button", name="提交").click()
    page.get_by_text("社保卡已启用").wait_for()
    order.card.refresh_from_db()
    assert order.card.status == CardStatus.ACTIVE


def test_the_producer_and_the_administrator_open_the_dashboard_and_the_audit(
    desktop, bank, outlet, reviewer, producer
):
    for _ in range(3):
        produce_to_outlet(approve(submit_apply(UserFactory(), bank, outlet), reviewer), producer)
    submit_apply(UserFactory(), bank, outlet)
    page = desktop
    otp_browser_login(page, staff(User.Role.PRODUCER, username="he.producer"), PASSWORD)
    page.get_by_role("link", name="统计看板").click()
    page.get_by_role("heading", name="统计看板").wait_for()
    assert page.locator("svg rect").count() > 5
    shot(page, "staff-dashboard")

    page.get_by_role("button", name="退出").click()
    otp_browser_login(page, staff(User.Role.ADMIN, username="zhao.admin"), PASSWORD)
    page.get_by_role("link", name="审计日志").click()
    page.get_by_label("动作").fill("application.")
    page.get_by_role("button", name="查询").click()
    page.get_by_text("application.approve").first.wait_for()
    shot(page, "staff-audit")
    assert page.get_by_role("link", name="审核队列").count() == 0
