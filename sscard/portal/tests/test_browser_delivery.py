"""A card sent by post, from 申领 to 已领卡 and 启用, in a phone-sized browser: once closed by
the holder's 确认收到 (through the SMS step-up), once by the courier's signed-for report over
the partner API. Both applications end 办结 and the holder is told in the 消息中心 and by SMS."""

import pytest
from playwright.sync_api import expect

from sscard.accounts.models import User
from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.cards.constants import CardStatus
from sscard.partners.models import Partner
from sscard.partners.services import partner_create
from sscard.partners.simulator import PartnerClient, Simulator, run
from sscard.portal.tests.conftest import open_item, password_login
from sscard.portal.tests.test_browser_items import choose, photo_file
from sscard.production import services as production
from sscard.production.constants import Stage
from sscard.production.reports import Report, ReportKind, batch_apply_reports
from sscard.regions.selectors import region_settings
from sscard.testing.browser import shot
from sscard.testing.factories import StaffFactory
from sscard.testing.sms import code_sent_to, texts_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAIL_ADDRESS = "广东省揭阳市榕城区新阳路18号"
HOLDER_PHONE = "13912345678"  # typed on the form: it becomes the phone on file
TICK = "我已收到本人（被监护人）的社会保障卡，卡面信息无误"


def _apply_by_post(phone) -> Application:
    open_item(phone, "社会保障卡申领")
    choose(phone, "本人")
    phone.get_by_label("手机号码").fill(HOLDER_PHONE)
    phone.get_by_label("合作银行").select_option("ICBC")
    phone.get_by_role("radio", name="邮寄").check()
    phone.get_by_label("邮寄地址").fill(MAIL_ADDRESS)
    phone.get_by_label("1寸白底免冠彩色电子证件照").set_input_files(photo_file())
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="提交成功")).to_be_visible()
    return Application.objects.get(item="apply")


def _approve(application: Application) -> None:
    reviewer = StaffFactory(username="reviewer")
    services.application_accept(application=application, actor=reviewer)
    services.application_approve(application=application, actor=reviewer)


def _send_batch(application: Application):
    producer = StaffFactory(username="producer", role=User.Role.PRODUCER)
    order = Application.objects.get(pk=application.pk).production_order
    batch = production.batch_create(bank=order.bank, order_ids=[order.pk], actor=producer)
    return production.batch_send(batch=batch, actor=producer), order


def _open_progress(phone) -> None:
    open_item(phone, "社保卡制卡进度查询")
    choose(phone, "本人")


def _enable(phone) -> None:
    phone.get_by_role("link", name="办理社保卡启用").click()
    choose(phone, "本人的社会保障卡")
    phone.get_by_label("社保服务密码").fill("135790")
    phone.get_by_label("确认密码").fill("135790")
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="办理成功")).to_be_visible()


def _told(phone, holder_phone: str) -> None:
    """The holder reads 社保卡已领取 in the 消息中心 and in a text."""
    phone.goto("/messages/")
    expect(phone.get_by_text("社保卡已领取").first).to_be_visible()
    shot(phone, "messages-card-received")
    received = [body for body in texts_to(holder_phone) if "现为“封存”状态" in body]
    assert len(received) == 1 and "社会保障卡启用" in received[0]


def test_the_holder_confirms_receipt_through_the_step_up_then_enables(
    phone, citizen_user, partners, texts
):
    region = region_settings()
    # 确认收到 keeps its default (L3+); 启用 too needs only the code here (face is walked
    # elsewhere), so the one step-up of the session serves both
    region.action_levels = {"enable": "L3+"}
    region.save()
    password_login(phone, "zhangsan")
    application = _apply_by_post(phone)
    _approve(application)
    batch, order = _send_batch(application)
    reports = [
        ("0", Report(order.pk, ReportKind.STAGE, stage=Stage.PRODUCING)),
        ("1", Report(order.pk, ReportKind.STAGE, stage=Stage.CITY_BANK)),
        ("2", Report(order.pk, ReportKind.STAGE, stage=Stage.MAILED, tracking_number="SF1234")),
    ]
    batch_apply_reports(batch=batch, reports=reports, by="测试银行")

    _open_progress(phone)
    expect(phone.get_by_text("SF1234", exact=True)).to_be_visible()
    shot(phone, "progress-mailed")
    phone.get_by_role("link", name="确认收到").click()
    expect(phone.get_by_label(TICK)).to_be_visible()
    # not ticked: the reason beside the box, nothing changed
    phone.get_by_role("button", name="确认收到").click()
    expect(phone.locator(".field-error")).to_contain_text("请勾选")
    shot(phone, "receive-unticked")
    phone.get_by_label(TICK).check()
    phone.get_by_role("button", name="确认收到").click()
    # a password login is not sure enough: a code to the phone on file first
    expect(phone.get_by_role("heading", name="请先验证本人身份")).to_be_visible()
    shot(phone, "receive-step-up")
    phone.get_by_role("link", name="短信验证码验证").click()
    phone.get_by_role("button", name="获取验证码").click()
    phone.get_by_label("验证码").fill(code_sent_to(HOLDER_PHONE))
    phone.get_by_role("button", name="验证").click()
    # back on the confirmation, the tick kept
    expect(phone.get_by_label(TICK)).to_be_visible()
    assert phone.get_by_label(TICK).is_checked()
    assert Application.objects.get(pk=application.pk).status == AppStatus.APPROVED
    phone.get_by_role("button", name="确认收到").click()
    expect(phone.get_by_text("已确认收到社保卡")).to_be_visible()
    timeline = phone.locator("ol.timeline > li")
    expect(timeline.last).to_contain_text("已领卡")
    expect(timeline.last).to_have_class("reached")
    expect(phone.get_by_text("办结").first).to_be_visible()
    shot(phone, "progress-received")
    order.refresh_from_db()
    assert order.stage == Stage.COLLECTED and order.card.status == CardStatus.SEALED

    _enable(phone)
    order.card.refresh_from_db()
    assert order.card.status == CardStatus.ACTIVE
    phone.goto(f"/my/{application.receipt_number}/")
    expect(phone.get_by_text("办结").first).to_be_visible()
    assert Application.objects.get(pk=application.pk).status == AppStatus.COMPLETED
    _told(phone, HOLDER_PHONE)


def test_the_couriers_signed_for_report_completes_a_mailed_card(
    phone, citizen_user, partners, texts, live_server
):
    bank, _outlet = partners
    region = region_settings()
    region.action_levels = {"enable": "L3"}
    region.save()
    password_login(phone, "zhangsan")
    application = _apply_by_post(phone)
    _approve(application)
    _batch, order = _send_batch(application)
    # the bank's and the factory's systems, over HTTP with signed requests: 制卡中 → 市银行签收
    # → 已寄出, and the round after, the courier's 已签收 with the parcel's number
    clients = {
        kind: partner_create(name=f"测试{kind}", kind=kind, bank=bank, actor=None)
        for kind in (Partner.Kind.BANK, Partner.Kind.FACTORY)
    }
    simulator = Simulator(
        bank=PartnerClient(live_server.url, clients["bank"].partner.key_id, clients["bank"].secret),
        factory=PartnerClient(
            live_server.url, clients["factory"].partner.key_id, clients["factory"].secret
        ),
        failure_share=0,
    )
    run([simulator], delay=0, until_idle=True, sleep=lambda _s: None)
    order.refresh_from_db()
    assert order.stage == Stage.COLLECTED
    assert order.events.filter(stage=Stage.COLLECTED, place="收件人本人签收").exists()

    _open_progress(phone)
    timeline = phone.locator("ol.timeline > li")
    expect(timeline.last).to_contain_text("已领卡")
    expect(timeline.last).to_have_class("reached")
    expect(phone.get_by_role("link", name="确认收到")).to_have_count(0)
    expect(phone.get_by_text("办结").first).to_be_visible()
    shot(phone, "progress-signed-for")
    _enable(phone)
    assert Application.objects.get(pk=application.pk).status == AppStatus.COMPLETED
    _told(phone, HOLDER_PHONE)
