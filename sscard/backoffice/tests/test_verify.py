"""电子社保卡核验 at /staff/verify/: the clerk pastes a scanned code or uploads a photo of it;
each kind of code gets its own answer; a photo without a code, with two codes or too large is
refused with the upload rules; the card photo opens only after a valid answer."""

from __future__ import annotations

import io

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sscard.audit.models import AuditRecord
from sscard.ecard.services import TOKEN_TYPE, ecard_show
from sscard.testing.factories import CardFactory, MaterialFactory, UserFactory
from sscard.testing.factories.people import requester_for
from sscard.testing.sessions import staff_client
from sscard.testing.tokens import crafted_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown():
    user = UserFactory()
    card = CardFactory(person=user.person)
    photo = MaterialFactory(application__subject=user.person, person=user.person)
    return user, card, photo, ecard_show(requester=requester_for(user), card=card)


def _photo_of(*texts: str, scale: int = 6, fmt: str = "PNG") -> SimpleUploadedFile:
    codes = []
    for text in texts:
        buffer = io.BytesIO()
        segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
        codes.append(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    canvas = Image.new(
        "RGB", (sum(c.width for c in codes) + 80, max(c.height for c in codes) + 80), "white"
    )
    x = 40
    for code in codes:
        canvas.paste(code, (x, 40))
        x += code.width
    out = io.BytesIO()
    canvas.save(out, fmt)
    return SimpleUploadedFile(f"qr.{fmt.lower()}", out.getvalue())


def _outcome(response) -> str:
    html = response.content.decode()
    return html.split('data-outcome="', 1)[1].split('"', 1)[0] if "data-outcome" in html else ""


def test_a_pasted_code_verifies_with_the_masked_name_and_the_photo_to_compare(clerk, shown):
    user, card, photo, code = shown
    client = staff_client(clerk)
    page = client.post("/staff/verify/", {"token": code.token})
    html = page.content.decode()
    assert page.status_code == 200 and _outcome(page) == "valid" and "核验通过" in html
    assert user.person.masked_name in html and card.masked_number in html
    assert user.person.name not in html
    assert f"/staff/verify/photo/{photo.pk}/" in html
    image = client.get(f"/staff/verify/photo/{photo.pk}/")
    assert image.status_code == 200 and b"".join(image.streaming_content).startswith(b"\xff\xd8")
    assert AuditRecord.objects.filter(action="material.view", actor_id=clerk.pk).exists()
    # the same code again, to the same clerk
    assert _outcome(client.post("/staff/verify/", {"token": code.token})) == "replayed"


def test_a_photo_not_verified_in_this_session_does_not_open(clerk, reviewer, shown):
    _, _, photo, code = shown
    staff_client(clerk).post("/staff/verify/", {"token": code.token})
    assert staff_client(reviewer).get(f"/staff/verify/photo/{photo.pk}/").status_code == 404


def test_a_photo_of_the_code_is_decoded_on_the_server(reviewer, shown):
    _, _, _, code = shown
    page = staff_client(reviewer).post(
        "/staff/verify/", {"photo": _photo_of(code.token, fmt="JPEG")}
    )
    assert _outcome(page) == "valid"


@pytest.mark.parametrize(
    ("token", "outcome", "words"),
    [
        ("garbage", "malformed", "无法识别"),
        (
            "eyJhbGciOiJFZERTQSIsImtpZCI6Im5vcGUiLCJ0eXAiOiJzc2NhcmQtZWNhcmQrandzIn0.e30.AAAA",
            "unknown_key",
            "密钥未知",
        ),
    ],
)
def test_garbage_and_an_unknown_key_get_their_own_answer(clerk, token, outcome, words):
    page = staff_client(clerk).post("/staff/verify/", {"token": token})
    assert page.status_code == 200 and _outcome(page) == outcome
    assert words in page.content.decode()


def test_a_tampered_code_is_a_forgery(clerk, shown):
    _, _, _, code = shown
    head, body, sig = code.token.split(".")
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    page = staff_client(clerk).post("/staff/verify/", {"token": f"{head}.{body}.{flipped}"})
    assert _outcome(page) == "bad_signature" and "伪造" in page.content.decode()


def test_a_code_for_a_cancelled_card_says_the_card_is_not_usable(clerk, shown):
    _, card, _, code = shown
    card.status = "cancelled"
    card.save()
    page = staff_client(clerk).post("/staff/verify/", {"token": code.token})
    assert _outcome(page) == "card_not_usable" and "注销" in page.content.decode()


def test_a_photo_without_a_code_with_two_codes_or_too_large_is_refused_with_the_rules(clerk, shown):
    _, _, _, code = shown
    client = staff_client(clerk)
    blank = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(blank, "PNG")
    none = client.post("/staff/verify/", {"photo": SimpleUploadedFile("a.png", blank.getvalue())})
    assert none.status_code == 400 and "没有找到二维码" in none.content.decode()
    two = client.post("/staff/verify/", {"photo": _photo_of(code.token, code.token[:60])})
    assert two.status_code == 400 and "多个二维码" in two.content.decode()
    # a PNG claiming 6000×6000 pixels: refused by its header, never decoded
    huge = io.BytesIO()
    Image.new("1", (6000, 6000), 1).save(huge, "PNG")
    refused = client.post("/staff/verify/", {"photo": SimpleUploadedFile("h.png", huge.getvalue())})
    html = refused.content.decode()
    assert refused.status_code == 400 and "像素过大" in html and "不超过10MB、2500万像素" in html
    text = client.post("/staff/verify/", {"photo": SimpleUploadedFile("a.png", b"<svg></svg>")})
    assert text.status_code == 400 and "JPG" in text.content.decode()
    assert "data-outcome" not in text.content.decode()


def test_an_empty_form_asks_for_a_code(clerk):
    page = staff_client(clerk).post("/staff/verify/", {})
    assert page.status_code == 400 and "请扫描或粘贴二维码内容" in page.content.decode()


CRAFTED = crafted_tokens(TOKEN_TYPE)


@pytest.mark.parametrize("token", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_code_gets_the_answer_not_ours_never_an_error(clerk, token):
    page = staff_client(clerk).post("/staff/verify/", {"token": token})
    assert page.status_code == 200 and _outcome(page) in {"malformed", "unknown_key"}
    assert "核验未通过" in page.content.decode()
    record = AuditRecord.objects.get(action="ecard.verify")
    assert record.detail["key"] in {"", "ts2"}


def test_a_pasted_code_too_long_to_be_one_is_refused_next_to_the_field(clerk):
    page = staff_client(clerk).post("/staff/verify/", {"token": "x" * 5000})
    html = page.content.decode()
    assert page.status_code == 400 and "data-outcome" not in html
    error = html.split('id="e-token"', 1)[1].split("</span>", 1)[0]
    assert "二维码内容过长" in error and "4096" in error
    assert 'aria-describedby="id_token_helptext e-token"' in html and 'aria-invalid="true"' in html
