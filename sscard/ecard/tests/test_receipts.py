"""Receipts that prove themselves: the PDF prints the masked facts and a QR code of a signed
address; that page shows the same facts; a made-up or tampered code does not verify; a
办结凭证 exists only once the application is completed; a machine without a Chinese font says
so instead of failing; the counter prints the receipts of the items it carried out."""

from __future__ import annotations

import io
import re
from urllib.parse import quote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from pypdf import PdfReader

from sscard.applications.models import Application
from sscard.core import signing
from sscard.ecard import receipts
from sscard.ecard.receipts import RECEIPT_TYPE, ReceiptKind
from sscard.photos.qr import qr_read
from sscard.testing.factories import ApplicationFactory, CardFactory, StaffFactory, UserFactory
from sscard.testing.sessions import sign_in, staff_client
from sscard.testing.tokens import crafted_tokens

pytestmark = pytest.mark.django_db


def pdf_text_and_qr(data: bytes) -> tuple[str, str]:
    """The text of a receipt PDF and the address its QR code holds."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    text = page.extract_text()
    [image] = page.images
    png = io.BytesIO()
    image.image.convert("RGB").save(png, "PNG")
    return text, qr_read(SimpleUploadedFile("qr.png", png.getvalue()))


@pytest.fixture
def application():
    return ApplicationFactory(accepted=True)


def test_the_receipt_pdf_and_its_verification_page_say_the_same_masked_facts(application):
    client = sign_in(Client(), application.applicant)
    answer = client.get(f"/my/{application.receipt_number}/pdf/acceptance/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text, url = pdf_text_and_qr(answer.content)
    person = application.subject
    for fact in ("受理回执", application.receipt_number, person.masked_name, "社会保障卡申领"):
        assert fact in text
    assert "个工作日内办结" in text and "法定办结日期" in text
    assert person.name not in text and person.doc_number not in text
    assert url.startswith("http://") and "/verify/receipt/" in url
    page = Client().get(urlsplit(url).path)  # anyone: the employer, the school
    html = page.content.decode()
    assert page.status_code == 200 and "核验通过" in html
    for fact in ("受理回执", application.receipt_number, person.masked_name, "社会保障卡申领"):
        assert fact in html
    assert person.name not in html


def test_the_application_page_offers_the_receipts_it_has(application):
    client = sign_in(Client(), application.applicant)
    html = client.get(f"/my/{application.receipt_number}/").content.decode()
    assert "下载受理回执（PDF）" in html and "办结凭证" not in html
    assert client.get(f"/my/{application.receipt_number}/pdf/completion/").status_code == 404
    assert client.get(f"/my/{application.receipt_number}/pdf/other/").status_code == 404


def test_a_completed_application_has_its_completion_certificate():
    done = ApplicationFactory(completed=True)
    client = sign_in(Client(), done.applicant)
    assert "下载办结凭证（PDF）" in client.get(f"/my/{done.receipt_number}/").content.decode()
    text, url = pdf_text_and_qr(client.get(f"/my/{done.receipt_number}/pdf/completion/").content)
    assert "办结凭证" in text and "办结时间" in text
    assert "办结凭证" in Client().get(urlsplit(url).path).content.decode()


def test_another_citizen_cannot_download_the_receipt(application):
    client = sign_in(Client(), UserFactory())
    assert client.get(f"/my/{application.receipt_number}/pdf/acceptance/").status_code == 404


@pytest.mark.parametrize(
    "make_code",
    [
        lambda a: "made-up-code",
        lambda a: receipts.receipt_code(a, ReceiptKind.ACCEPTANCE)[:-4] + "AAAA",
        # our signature, but over a receipt number that does not exist
        lambda a: signing.sign_token({"r": "4452009999", "k": "acceptance"}, typ=RECEIPT_TYPE),
        # an e-card token is not a receipt
        lambda a: signing.sign_token({"r": a.receipt_number, "k": "acceptance"}, typ="x"),
    ],
    ids=["made-up", "tampered", "unknown-receipt", "other-use"],
)
def test_a_forged_receipt_does_not_verify(application, make_code):
    page = Client().get(f"/verify/receipt/{make_code(application)}/")
    html = page.content.decode()
    assert page.status_code == 404 and "核验未通过" in html and "伪造" in html
    assert application.receipt_number not in html


CRAFTED = crafted_tokens(RECEIPT_TYPE)


@pytest.mark.parametrize("code", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_code_does_not_verify_and_breaks_nothing(code):
    page = Client().get(f"/verify/receipt/{quote(code)}/")
    assert page.status_code == 404 and "核验未通过" in page.content.decode()


def test_without_a_chinese_font_the_download_says_what_is_missing(application):
    receipts.cjk_font.cache_clear()
    try:
        with override_settings(SSCARD_PDF_FONT="/nonexistent/font.ttc"):
            client = sign_in(Client(), application.applicant)
            page = client.get(f"/my/{application.receipt_number}/pdf/acceptance/")
    finally:
        receipts.cjk_font.cache_clear()
    assert page.status_code == 503 and "fonts-wqy-microhei" in page.content.decode()


def test_the_font_is_found_on_this_machine():
    receipts.cjk_font.cache_clear()
    font = receipts.cjk_font()
    assert font is not None and font[0].endswith((".ttc", ".ttf", ".otf"))


def test_the_counter_prints_the_certificate_of_an_item_it_carried_out(clerk):
    card = CardFactory()
    person = card.person
    client = staff_client(clerk)
    client.post("/staff/counter/", {"doc_type": person.doc_type, "doc_number": person.doc_number})
    done = client.post("/staff/counter/loss/", {"card": card.pk, "action": "temporary"})
    assert done.status_code == 302
    application = Application.objects.get(subject=person, item="loss")
    page = client.get("/staff/counter/").content.decode()
    found = re.findall(r'href="(/staff/counter/receipts/[^"]+)">(打印[^<]+)</a>', page)
    links = {label: href for href, label in found}
    assert set(links) == {"打印受理回执（PDF）", "打印办结凭证（PDF）"}
    answer = client.get(links["打印办结凭证（PDF）"])
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text, url = pdf_text_and_qr(answer.content)
    facts = ("办结凭证", application.receipt_number, "挂失与解挂", "临时挂失", person.masked_name)
    assert all(fact in text for fact in facts), text
    assert person.name not in text and person.doc_number not in text
    assert "办结凭证" in Client().get(urlsplit(url).path).content.decode()
    # another member of staff did not carry it out: nothing to print for them
    other = staff_client(StaffFactory(role="clerk", outlet=clerk.outlet))
    assert other.get(links["打印办结凭证（PDF）"]).status_code == 404


def test_a_counter_receipt_whose_application_is_gone_is_not_found(clerk, application):
    client = staff_client(clerk)
    session = client.session
    session["counter_receipts"] = [application.receipt_number, "4452009999"]
    session.save()
    assert client.get("/staff/counter/receipts/4452009999/acceptance/").status_code == 404
    url = f"/staff/counter/receipts/{application.receipt_number}/"
    assert client.get(url + "other/").status_code == 404
    assert client.get(url + "completion/").status_code == 404  # not completed
    assert client.get(url + "acceptance/").status_code == 200
