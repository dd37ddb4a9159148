"""电子社保卡 and a verifiable receipt, end to end in chromium: the holder opens 我的电子社保卡
on a phone, the QR code read from the page's own pixels verifies at /staff/verify/ for the
outlet clerk; after 临时挂失 the page shows no code and the old code answers “card not
usable”; the 办结凭证 PDF's QR code leads to its verification page, which says what the PDF
says. Screenshots: var/screenshots/ecard-*.png."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect
from pypdf import PdfReader

from sscard.accounts.models import User
from sscard.accounts.trust import TrustLevel
from sscard.cards.constants import CardStatus
from sscard.photos.qr import qr_read
from sscard.portal.tests.conftest import open_item
from sscard.testing.browser import shot
from sscard.testing.factories import CardFactory, MaterialFactory, StaffFactory, UserFactory
from sscard.testing.otp import otp_browser_login
from sscard.testing.sessions import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STAFF_PASSWORD = "Staff-password-2026"


def _code_on_screen(page) -> str:
    """What the QR code on the page says, read from its pixels as a scanner would: the SVG
    drawn large enough for OpenCV, photographed, decoded."""
    qr = page.locator(".ecard-qr svg").first
    qr.evaluate("svg => { svg.style.width = '340px'; svg.style.maxWidth = 'none'; }")
    png = qr.screenshot()
    Path("var/screenshots").mkdir(parents=True, exist_ok=True)
    Path("var/screenshots/ecard-qr-as-scanned.png").write_bytes(png)
    qr.evaluate("svg => { svg.style.width = ''; svg.style.maxWidth = ''; }")
    return qr_read(SimpleUploadedFile("screen.png", png))


def _verify_as_clerk(page, token: str):
    page.get_by_role("link", name="电子社保卡核验").click()
    page.get_by_role("heading", name="电子社保卡核验").wait_for()
    page.get_by_label("二维码内容").fill(token)
    page.get_by_role("button", name="核验").click()
    return page.locator(".bo-verify-message")


def test_the_e_card_verifies_at_the_counter_and_stops_after_a_loss_report(
    phone, desktop, live_server, bank, outlet
):
    holder = UserFactory(username="lisi")
    card = CardFactory(person=holder.person, bank=bank)
    MaterialFactory(application__subject=holder.person, person=holder.person)
    clerk = StaffFactory(
        role=User.Role.CLERK, outlet=outlet, username="wang.clerk", password=STAFF_PASSWORD
    )

    # the holder, signed in and verified by a code to the phone on file (L3+)
    sign_in_page(phone, holder, live_server, TrustLevel.L3_PLUS)
    phone.goto("/me/")
    phone.get_by_role("link", name="我的电子社保卡").click()
    phone.get_by_role("heading", name="我的电子社保卡").wait_for()
    expect(phone.get_by_text(holder.person.masked_name).first).to_be_visible()
    expect(phone.get_by_text(card.masked_number)).to_be_visible()
    expect(phone.get_by_role("img", name="电子社保卡二维码，请向核验人员出示")).to_be_visible()
    shot(phone, "ecard-page")
    token = _code_on_screen(phone)
    assert token.count(".") == 2

    # the clerk at the outlet scans it
    otp_browser_login(desktop, clerk, STAFF_PASSWORD)
    answer = _verify_as_clerk(desktop, token)
    expect(answer).to_contain_text("核验通过")
    expect(desktop.get_by_text(holder.person.masked_name)).to_be_visible()
    photo = desktop.get_by_role("img", name="持卡人的社保卡照片，请与本人核对")
    expect(photo).to_be_visible()
    # visible is not loaded: wait for the picture itself to arrive and decode
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    shot(desktop, "ecard-verified")
    # shown twice, the same code is refused
    expect(_verify_as_clerk(desktop, token)).to_contain_text("已核验过")

    # the holder reports the card lost (临时挂失)
    open_item(phone, "社会保障卡挂失与解挂")
    phone.get_by_label("本人的社会保障卡").check()
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("radio", name="临时挂失").check()
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.get_by_role("heading", name="办理成功")).to_be_visible()
    card.refresh_from_db()
    assert card.status == CardStatus.TEMP_LOST
    receipt_page = phone.url

    phone.goto("/ecard/")
    expect(phone.get_by_text("该卡已临时挂失，暂停使用")).to_be_visible()
    assert phone.get_by_role("img", name="电子社保卡二维码，请向核验人员出示").count() == 0
    shot(phone, "ecard-lost")
    answer = _verify_as_clerk(desktop, token)
    expect(answer).to_contain_text("该社保卡当前不可用（临时挂失）")
    shot(desktop, "ecard-card-not-usable")

    # the 临时挂失 was done at once: its 办结凭证 proves itself
    phone.goto(receipt_page)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载办结凭证（PDF）").click()
    pdf = Path(download.value.path()).read_bytes()
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    text = page.extract_text()
    [image] = page.images
    png = io.BytesIO()
    image.image.convert("RGB").save(png, "PNG")
    url = qr_read(SimpleUploadedFile("pdf-qr.png", png.getvalue()))
    phone.goto(urlsplit(url).path)
    phone.get_by_role("heading", name="核验通过：这是人社部门出具的办结凭证").wait_for()
    shot(phone, "ecard-receipt-verified")
    shown = phone.locator(".receipt .cell")
    facts = dict(
        zip(
            shown.locator(".cell-label").all_inner_texts(),
            shown.locator(".cell-value").all_inner_texts(),
            strict=True,
        )
    )
    assert facts["办理对象"] == holder.person.masked_name
    for label, value in facts.items():
        if label != "当前办件状态":
            assert label in text and value in text, (label, value)
    assert "办结凭证" in text and holder.person.name not in text
