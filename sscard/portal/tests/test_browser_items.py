"""Every item of 社会保障卡服务“一件事”, end to end in a phone-sized browser, by the labels a
citizen reads; screenshots of every screen go to var/screenshots."""

import re
from datetime import date

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from sscard.accounts.models import Guardianship
from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.cards.constants import CardStatus
from sscard.conftest import jpeg
from sscard.core.trust import Action
from sscard.portal.tests.conftest import open_item, password_login
from sscard.regions.selectors import region_settings
from sscard.testing import faces
from sscard.testing.browser import shot
from sscard.testing.factories import CardFactory, StaffFactory
from sscard.testing.ids import resident_id
from sscard.testing.sms import code_sent_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo_file(name="photo.jpg"):
    upload = jpeg(name)
    return {"name": name, "mimeType": "image/jpeg", "buffer": upload.read()}


def choose(page, label):
    page.get_by_label(label).check()
    page.get_by_role("button", name="下一步").click()


def _password_is_enough() -> None:
    """These walks are about the items' screens, not the step-up (sscard/portal/tests/
    test_step_up.py walks that): every action at L3 for them."""
    region = region_settings()
    region.action_levels = dict.fromkeys(Action, "L3")
    region.save()


def test_temporary_loss_then_formal_loss(phone, citizen_user, partners):
    _password_is_enough()
    bank, _outlet = partners
    card = CardFactory(person=citizen_user.person, bank=bank)
    password_login(phone, "zhangsan", screenshot="login-password")
    open_item(phone, "社会保障卡挂失与解挂")
    shot(phone, "select-card")
    choose(phone, "本人的社会保障卡")
    phone.get_by_role("radio", name="临时挂失").check()
    shot(phone, "item-loss")
    phone.get_by_role("button", name="下一步").click()
    shot(phone, "confirm-loss")
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="办理成功")).to_be_visible()
    shot(phone, "receipt-loss")
    card.refresh_from_db()
    assert card.status == CardStatus.TEMP_LOST

    # 正式挂失 is irreversible: refused until the warning is acknowledged
    open_item(phone, "社会保障卡挂失与解挂")
    choose(phone, "本人的社会保障卡")
    phone.get_by_role("radio", name="正式挂失").check()
    phone.get_by_role("button", name="下一步").click()
    expect(
        phone.locator("#e-confirm_irreversible").get_by_text("正式挂失后不能解挂，请确认已知晓")
    ).to_be_visible()
    assert phone.get_by_role(
        "radio", name="正式挂失"
    ).is_checked()  # the choice is kept after the error
    shot(phone, "item-loss-formal-refused")
    phone.get_by_label("我已知晓：正式挂失后不能解挂").check()
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="确认提交").click()
    card.refresh_from_db()
    assert card.status == CardStatus.LOST


def test_reissue_is_refused_before_formal_loss_and_done_after(phone, citizen_user, partners):
    _password_is_enough()
    bank, outlet = partners
    card = CardFactory(person=citizen_user.person, bank=bank)
    from sscard.applications.models import Material

    Material.objects.create(
        person=citizen_user.person, kind="photo", file=ContentFile(jpeg().read(), "p.jpg")
    )
    password_login(phone, "zhangsan")
    open_item(phone, "社会保障卡补换卡")
    choose(phone, "本人的社会保障卡")
    phone.get_by_role("radio", name="补卡", exact=True).check()
    phone.get_by_label("领卡网点").select_option(outlet.code)
    phone.get_by_role("button", name="下一步").click()
    expect(phone.get_by_text("补卡前需先办理正式挂失").first).to_be_visible()
    shot(phone, "item-reissue-refused")

    card.status = CardStatus.LOST
    card.save()
    # a formal report is final: the loss item says so and points to 补卡
    open_item(phone, "社会保障卡挂失与解挂")
    choose(phone, "本人的社会保障卡")
    expect(phone.get_by_text("正式挂失后不能解挂")).to_be_visible()
    shot(phone, "item-loss-blocked")
    open_item(phone, "社会保障卡补换卡")
    expect(phone.get_by_label("本人的社会保障卡")).to_be_visible()
    shot(phone, "select-card-reissue")
    choose(phone, "本人的社会保障卡")
    expect(phone.get_by_text("工本费：¥20.00")).to_be_visible()
    phone.get_by_label("领卡网点").select_option(outlet.code)
    shot(phone, "item-reissue")
    phone.get_by_role("button", name="下一步").click()
    shot(phone, "confirm-reissue")
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="提交成功")).to_be_visible()
    expect(phone.get_by_text("自受理之日起25个工作日内办结")).to_be_visible()
    shot(phone, "receipt-reissue")
    application = Application.objects.get(item="reissue", card=card)
    assert application.status == AppStatus.SUBMITTED
    assert application.fee_fen == 2000


def test_apply_for_oneself_with_photo_and_the_one_card_rule(phone, citizen_user, partners):
    _bank, outlet = partners
    password_login(phone, "zhangsan")
    open_item(phone, "社会保障卡申领")
    shot(phone, "select-apply")
    choose(phone, "本人")
    # prefilled from the record, masked after a password login: the ID number cannot be
    # edited, the name, phone and address show as placeholders and are kept when left empty
    person = citizen_user.person
    assert phone.get_by_label("姓名").input_value() == ""
    placeholder = phone.get_by_label("姓名").get_attribute("placeholder")
    assert placeholder == f"当前：{person.masked_name}，不修改请留空"
    assert person.doc_number not in phone.content() and person.phone not in phone.content()
    expect(phone.get_by_role("button", name="查看完整信息")).to_be_visible()
    phone.get_by_label("手机号码").fill("1391234")
    phone.get_by_label("合作银行").select_option("ICBC")
    phone.get_by_role("radio", name="网点领取").check()
    phone.get_by_label("领卡网点").select_option(outlet.code)
    phone.get_by_label("1寸白底免冠彩色电子证件照").set_input_files(photo_file())
    phone.get_by_role("button", name="下一步").click()
    # the wrong phone number is reported beside its field; the other entries are kept
    expect(phone.locator("#e-phone")).to_have_text("请输入11位手机号码")
    assert phone.get_by_label("领卡网点").input_value() == outlet.code
    expect(phone.get_by_text("已上传，可重新选择替换")).to_be_visible()
    shot(phone, "item-apply-error")
    phone.get_by_label("手机号码").fill("13912345678")
    phone.get_by_role("button", name="下一步").click()
    shot(phone, "confirm-apply")
    # the phone just typed in full, to catch a typo; the address left as on record, masked
    expect(phone.get_by_text("13912345678")).to_be_visible()
    assert person.address not in phone.content()
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="提交成功")).to_be_visible()
    shot(phone, "receipt-apply")
    application = Application.objects.get(item="apply", subject=citizen_user.person)
    assert application.materials.filter(kind="photo").exists()

    # one person, one card: a second 申领 is refused before the form, with the reason
    open_item(phone, "社会保障卡申领")
    choose(phone, "本人")
    expect(phone.get_by_text("不能重复申请")).to_be_visible()
    shot(phone, "item-apply-refused")


def test_guardian_applies_for_a_child_then_follows_progress(phone, citizen_user, partners):
    _bank, outlet = partners
    password_login(phone, "zhangsan")
    open_item(phone, "社会保障卡申领")
    choose(phone, "为未满16周岁的子女申领")
    child_id = resident_id(date(2018, 3, 5), male=False)
    phone.get_by_label("证件类型").select_option("household")
    phone.get_by_label("证件号码").fill(child_id)
    phone.get_by_label("姓名").fill("张小妹")
    phone.get_by_label("民族").select_option("汉族")
    phone.get_by_label("与申领人关系").select_option("mother")
    phone.get_by_label("申领人居民户口簿").set_input_files(photo_file("household.jpg"))
    phone.get_by_label("监护人证明文件").set_input_files(photo_file("proof.jpg"))
    phone.get_by_label("1寸白底免冠彩色电子证件照").set_input_files(photo_file())
    phone.get_by_label("手机号码").fill("13912345678")
    phone.get_by_label("通讯地址").fill("广东省揭阳市榕城区新阳路18号")
    phone.get_by_label("合作银行").select_option("ICBC")
    phone.get_by_role("radio", name="网点领取").check()
    phone.get_by_label("领卡网点").select_option(outlet.code)
    shot(phone, "item-apply-child")
    phone.get_by_role("button", name="下一步").click()
    expect(phone.get_by_text("与申领人关系")).to_be_visible()
    shot(phone, "confirm-apply-child")
    phone.get_by_role("button", name="确认提交").click()
    # a new guardianship after a password login: the code to the phone on file first
    expect(phone.get_by_text("新增监护关系需先验证本人身份")).to_be_visible()
    assert not Application.objects.exists()
    phone.get_by_role("link", name="短信验证码验证").click()
    phone.get_by_role("button", name="获取验证码").click()
    phone.get_by_label("验证码").fill(code_sent_to(citizen_user.person.phone))
    phone.get_by_role("button", name="验证", exact=True).click()
    expect(phone.get_by_text("与申领人关系")).to_be_visible()  # back at the confirmation
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="提交成功")).to_be_visible()
    application = Application.objects.get(item="apply", relation="guardian")
    assert application.subject.name == "张小妹"
    assert set(application.materials.values_list("kind", flat=True)) == {
        "photo",
        "household",
        "guardian_proof",
    }
    assert Guardianship.objects.get(ward=application.subject).active is False

    # 制卡进度查询 for the child, from the receipt
    phone.get_by_role("link", name="社保卡制卡进度查询").click()
    timeline = phone.locator("ol.timeline > li")
    # received at once, with its time; everything after it waits for the reviewer
    expect(timeline.first).to_have_class("reached")
    expect(timeline.first).to_contain_text("已提交")
    expect(timeline.first).to_contain_text("线上提交")
    expect(timeline.nth(1)).to_contain_text("已受理")
    expect(timeline.nth(1)).to_contain_text("未开始")
    expect(phone.get_by_text("您的申请已提交，待工作人员受理")).to_be_visible()
    shot(phone, "item-progress")


def test_returned_application_is_corrected_and_resubmitted(phone, citizen_user, partners):
    bank, outlet = partners
    from sscard.applications.tests.helpers import submit_apply

    application = submit_apply(citizen_user, bank, outlet)
    reviewer = StaffFactory(username="rev1")
    services.application_accept(application=application, actor=reviewer)
    services.application_return(
        application=application, actor=reviewer, reason="通讯地址不完整，请补充门牌号"
    )
    password_login(phone, "zhangsan")
    phone.get_by_role("link", name="我的办件").first.click()
    shot(phone, "my-applications")
    phone.get_by_role("link", name="社会保障卡申领").click()
    expect(phone.get_by_role("alert").get_by_text("通讯地址不完整，请补充门牌号")).to_be_visible()
    shot(phone, "application-returned")
    phone.get_by_role("link", name="去补正").click()
    shot(phone, "correct")
    phone.get_by_label("通讯地址").fill("广东省揭阳市榕城区新阳路18号3栋502房")
    phone.get_by_role("button", name="重新提交").click()
    expect(phone.get_by_text("已重新提交，请等待审核")).to_be_visible()
    application.refresh_from_db()
    assert application.status == AppStatus.ACCEPTED
    assert application.form_data["address"].endswith("502房")


def test_change_contact_and_card_status(phone, citizen_user, partners):
    _password_is_enough()
    bank, _outlet = partners
    CardFactory(person=citizen_user.person, bank=bank)
    password_login(phone, "zhangsan")
    open_item(phone, "社保卡信息变更")
    choose(phone, "本人")
    expect(phone.get_by_text("不能在线变更")).to_be_visible()
    phone.get_by_label("手机号码").fill("13700001111")
    shot(phone, "item-change")
    phone.get_by_role("button", name="下一步").click()
    expect(phone.get_by_text("13700001111").first).to_be_visible()  # as typed, in full
    # the new number is proved by a code texted to it
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.get_by_text("验证码已发送至新手机号码 13700001111")).to_be_visible()
    phone.get_by_label("短信验证码").fill(code_sent_to("13700001111"))
    shot(phone, "confirm-change-code")
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="办理成功")).to_be_visible()
    citizen_user.person.refresh_from_db()
    assert citizen_user.person.phone == "13700001111"
    # the change is confirmed in the 消息中心, announced on the home page
    phone.goto("/")
    expect(phone.get_by_text("1 条未读")).to_be_visible()
    shot(phone, "home-signed-in")
    phone.get_by_role("link", name="消息中心").click()
    shot(phone, "messages")
    expect(phone.get_by_text("信息变更").first).to_be_visible()

    open_item(phone, "社保卡应用状态查询")
    choose(phone, "本人的社会保障卡")
    expect(phone.get_by_text("社保应用状态")).to_be_visible()
    expect(phone.get_by_text("未激活").first).to_be_visible()
    shot(phone, "item-status")


def test_a_replaced_card_can_still_be_looked_up_but_not_acted_on(phone, citizen_user, partners):
    bank, _outlet = partners
    CardFactory(person=citizen_user.person, bank=bank, number="A11110001", cancelled=True)
    CardFactory(person=citizen_user.person, bank=bank, number="A22220002")
    password_login(phone, "zhangsan")

    open_item(phone, "社保卡应用状态查询")
    expect(phone.get_by_label("已注销")).to_be_visible()
    shot(phone, "select-status-with-cancelled")
    choose(phone, "已注销")
    expect(phone.get_by_text("该社会保障卡已注销，仅供查询")).to_be_visible()
    expect(phone.get_by_text("A****0001")).to_be_visible()
    shot(phone, "item-status-cancelled")

    open_item(phone, "社会保障卡挂失与解挂")
    expect(phone.get_by_text("A****0002")).to_be_visible()
    expect(phone.get_by_text("A****0001")).to_have_count(0)


def test_enable_steps_up_through_face_verification_and_comes_back(
    phone, citizen_user, partners, tmp_path
):
    bank, _outlet = partners
    card = CardFactory(person=citizen_user.person, bank=bank, sealed=True)
    password_login(phone, "zhangsan")
    open_item(phone, "社会保障卡启用")
    choose(phone, "本人的社会保障卡")
    expect(phone.get_by_role("heading", name="请先完成人脸识别验证")).to_be_visible()
    shot(phone, "step-up")
    phone.get_by_role("link", name="开始人脸识别验证").click()
    # the simulated real-name provider: 姓名 + 身份证号码 + consent, then a selfie
    phone.get_by_label("姓名", exact=True).fill(citizen_user.person.name)
    phone.get_by_label("身份证号码", exact=True).fill(citizen_user.person.doc_number)
    phone.get_by_label(re.compile("本人已阅读并同意")).check()
    phone.get_by_role("button", name="开始人脸识别验证").click()
    phone.get_by_label("拍摄本人正脸照片").set_input_files(
        str(faces.write(tmp_path / "selfie.jpg", faces.one_face()))
    )
    phone.get_by_label(re.compile("本人同意采集本次人脸图像")).check()
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("link", name="返回揭阳智慧人社").click()
    # back on the item's page, now at L4
    phone.get_by_label("社保服务密码").fill("135790")
    phone.get_by_label("确认密码").fill("135790")
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="办理成功")).to_be_visible()
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_enable_sets_the_service_password(phone, citizen_user, partners):
    bank, _outlet = partners
    region = region_settings()
    region.action_levels = dict.fromkeys(Action, "L3")
    region.save()
    card = CardFactory(person=citizen_user.person, bank=bank, sealed=True)
    password_login(phone, "zhangsan")
    open_item(phone, "社会保障卡启用")
    expect(phone.get_by_label("本人的社会保障卡")).to_be_visible()
    shot(phone, "select-card-enable")
    choose(phone, "本人的社会保障卡")
    phone.get_by_label("社保服务密码").fill("123456")
    phone.get_by_label("确认密码").fill("123456")
    phone.get_by_role("button", name="下一步").click()
    expect(phone.locator(".field-error").first).to_be_visible()
    shot(phone, "item-enable-refused")
    phone.get_by_label("社保服务密码").fill("135790")
    phone.get_by_label("确认密码").fill("135790")
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="办理成功")).to_be_visible()
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert "135790" not in card.service_password


def test_the_photo_is_checked_on_upload_and_fixed_before_submission(phone, citizen_user, partners):
    from sscard.testing import photos

    password_login(phone, "zhangsan")
    open_item(phone, "社会保障卡申领")
    choose(phone, "本人")
    phone.wait_for_load_state("networkidle")  # htmx is ready to send the photo on change
    field = phone.get_by_label("1寸白底免冠彩色电子证件照")
    # two people in the picture: said at once, precisely, before anything is submitted
    field.set_input_files(
        {"name": "two.jpg", "mimeType": "image/jpeg", "buffer": photos.two_faces_portrait()}
    )
    expect(phone.get_by_text("照片不符合要求")).to_be_visible(timeout=20_000)
    expect(phone.get_by_text("检测到2张人脸").first).to_be_visible()
    shot(phone, "item-apply-photo-refused")
    # a large portrait on a light background: cropped to the spec and shown as it will be used
    field.set_input_files(
        {"name": "big.jpg", "mimeType": "image/jpeg", "buffer": photos.light_portrait()}
    )
    expect(phone.get_by_text("照片已自动裁剪")).to_be_visible(timeout=20_000)
    expect(phone.get_by_role("img", name="将用于制卡的证件照")).to_be_visible()
    shot(phone, "item-apply-photo-fixed")
    phone.get_by_label("合作银行").select_option("ICBC")
    phone.get_by_label("领卡网点").select_option(partners[1].code)
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="提交成功")).to_be_visible()
    material = Application.objects.get(item="apply").materials.get(kind="photo")
    assert material.photo_check["ok"] is True
