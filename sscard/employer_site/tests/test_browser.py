"""单位批量申领 end to end in a browser, by the labels an HR clerk reads; screenshots of every
screen go to var/screenshots (employer-*)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sscard.accounts.models import User
from sscard.applications.models import Application
from sscard.employers.samples import sample_files
from sscard.testing.browser import shot
from sscard.testing.factories import PASSWORD
from sscard.testing.photos import png_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def employer_login(page, username: str, password: str = PASSWORD) -> None:
    """首页 → 单位服务 → 单位账号登录 → 账号密码 + 验证码 → 继续访问."""
    page.goto("/")
    page.get_by_role("link", name=re.compile("单位服务")).click()
    shot(page, "employer-welcome")
    page.get_by_role("link", name=re.compile("单位账号登录")).click()
    page.get_by_label("账号", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="继续访问").click()


def test_upload_fifty_rows_read_the_preview_and_submit(phone, agent, tmp_path):
    files = sample_files(50, bad=5)
    (tmp_path / "职工信息.xlsx").write_bytes(files.workbook)
    (tmp_path / "照片.zip").write_bytes(files.photos)

    employer_login(phone, agent.username)
    expect(phone.get_by_text(agent.employer.name)).to_be_visible()
    shot(phone, "employer-home")
    phone.get_by_role("link", name=re.compile("批量申领社保卡")).click()
    with phone.expect_download() as template:
        phone.get_by_role("link", name=re.compile("下载批量申领模板")).click()
    assert template.value.suggested_filename == "批量申领模板.xlsx"
    phone.get_by_label("职工信息表（.xlsx）").set_input_files(tmp_path / "职工信息.xlsx")
    phone.get_by_label(re.compile("照片压缩包")).set_input_files(tmp_path / "照片.zip")
    shot(phone, "employer-upload")
    phone.get_by_role("button", name="上传并校验").click()

    # the preview: how many will be submitted, every bad row with its line and reason
    expect(phone.get_by_text("人将提交申领")).to_be_visible()
    good = phone.locator(".count-good strong").inner_text()
    bad = phone.locator(".count-bad strong").inner_text()
    assert (good, bad) == ("45", "5")
    rows = phone.locator(".bad-row")
    assert rows.count() == 5
    lines = [rows.nth(i).locator(".bad-line").inner_text() for i in range(5)]
    assert lines == [f"第{line}行" for line in sorted(files.bad_lines)]
    expect(phone.get_by_text("与第3行是同一人，每人只能申领一次")).to_be_visible()
    expect(
        phone.get_by_text(re.compile("照片压缩包内未找到以该证件号码命名的照片"))
    ).to_be_visible()
    shot(phone, "employer-preview")
    with phone.expect_download() as errors:
        phone.get_by_role("link", name=re.compile("下载校验结果")).click()
    assert errors.value.suggested_filename == "校验结果.xlsx"
    assert Application.objects.count() == 0

    # in the tests the background job runs inside this request: 45 applications take a while
    phone.get_by_role("button", name="确认提交45人").click(timeout=60_000)
    expect(phone.get_by_role("heading", name="提交成功")).to_be_visible()
    shot(phone, "employer-submitted")
    phone.get_by_role("link", name="查看本批次申领进度").click()
    expect(phone.get_by_text("共45件（本批次）")).to_be_visible()
    shot(phone, "employer-applications")
    assert Application.objects.filter(applicant=agent).count() == 45
    phone.locator("a.cell-link").filter(has_text="社会保障卡申领").first.click()
    expect(phone.get_by_text("受理编号")).to_be_visible()
    shot(phone, "employer-application")


def test_register_an_employer_and_add_a_clerk(desktop, partners):
    from sscard.testing.ids import uscc

    desktop.goto("/employer/")
    desktop.get_by_role("link", name=re.compile("单位注册")).click()
    desktop.get_by_label("单位名称").fill("揭阳市新职工电子有限公司")
    desktop.get_by_label("统一社会信用代码").fill(uscc())
    desktop.get_by_label("经办人姓名").fill("林经办")
    desktop.get_by_label("经办人手机号码").fill("13800138000")
    desktop.get_by_label("营业执照扫描件").set_input_files(
        files=[{"name": "营业执照.png", "mimeType": "image/png", "buffer": png_photo()}]
    )
    desktop.get_by_label("账号", exact=True).fill("xinzhigong")
    desktop.get_by_label("密码", exact=True).fill("Jieyang-hr-2026")
    desktop.get_by_label("确认密码").fill("Jieyang-hr-2026")
    desktop.get_by_label("验证码").fill("PASSED")
    shot(desktop, "employer-register")
    desktop.get_by_role("button", name="注册").click()
    expect(desktop.get_by_text(re.compile("单位注册成功，已为您登录"))).to_be_visible()
    expect(desktop.get_by_text("单位注册审核：待审核")).to_be_visible()
    desktop.get_by_role("link", name=re.compile("经办人账号")).click()
    desktop.get_by_label("经办人姓名").fill("陈专员")
    desktop.get_by_label("账号", exact=True).fill("chen_hr")
    desktop.get_by_label("密码", exact=True).fill("Chen-hr-2026!")
    desktop.get_by_label("确认密码").fill("Chen-hr-2026!")
    desktop.get_by_role("button", name="添加经办人").click()
    expect(desktop.get_by_text("已添加经办人账号")).to_be_visible()
    shot(desktop, "employer-clerks")
    assert User.objects.get(username="chen_hr").employer.name == "揭阳市新职工电子有限公司"
