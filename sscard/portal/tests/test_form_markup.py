"""What a screen reader and a phone's autofill read in a refused form's HTML, without a browser:
the error summary first (focused on load, each error a link to its field), every invalid field
marked and pointing at its message, radio groups as groups with their error, required fields
marked, the captcha described in Chinese with a way round it, and ``autocomplete`` on the
fields about the person filling in the form. The browser side (focus, layout) is
test_browser_forms.py."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from sscard.accounts.trust import TrustLevel
from sscard.portal.tests.helpers import Page, item_url, login_post
from sscard.testing.factories import CardFactory, UserFactory
from sscard.testing.sessions import sign_in, staff_client

pytestmark = pytest.mark.django_db


def _by_id(page: Page) -> dict[str, dict[str, str]]:
    return {e.attrs["id"]: e.attrs for e in page.elements if e.attrs.get("id")}


def _element_text(page: Page, element_id: str) -> str:
    """The text of an element and of the elements inside it."""
    element = next(e for e in page.elements if e.attrs.get("id") == element_id)
    inside = [e.text for e in page.elements if element in e.parents]
    return (element.text + "".join(inside)).strip()


def _summary_links(page: Page) -> list[tuple[str, str]]:
    """The error summary's links: (target id, text)."""
    summary = next(e for e in page.elements if e.attrs.get("id") == "error-summary")
    return [
        (a.attrs["href"].removeprefix("#"), a.text.strip())
        for a in page.find("a")
        if summary in a.parents
    ]


def _assert_linked(page: Page, field_id: str) -> str:
    """The field is invalid and described by a message that exists; returns the message."""
    attrs = _by_id(page)[field_id]
    assert attrs.get("aria-invalid") == "true", attrs
    message_id = attrs["aria-describedby"].split()[-1]
    return _element_text(page, message_id)


def test_a_refused_login_opens_on_its_summary_linking_each_field(client):
    answer = client.post("/login/", {"username": "", "password": ""})
    assert answer.status_code == 400
    page = Page(answer.content.decode())
    summary = _by_id(page)["error-summary"]
    assert "autofocus" in summary and summary["tabindex"] == "-1"
    assert _element_text(page, "error-summary-title") == "请修改以下 3 处后再提交"
    assert _summary_links(page) == [
        ("id_username", "请输入账号"),
        ("id_password", "请输入密码"),
        ("id_captcha_1", "请输入验证码"),
    ]
    for field in ("id_username", "id_password", "id_captcha_1"):
        assert _assert_linked(page, field)
    # the captcha's error is the captcha box's description (it had none)
    assert _by_id(page)["id_captcha_1"]["aria-describedby"] == "e-captcha"


def test_the_captcha_is_described_in_chinese_with_a_way_round_it(client):
    page = Page(client.get("/login/").content.decode())
    image = next(e for e in page.find("img") if "captcha" in e.attrs.get("class", ""))
    assert image.attrs["alt"].startswith("图形验证码"), image.attrs
    help_text = _element_text(page, "captcha-help")
    assert "人脸识别登录" in help_text and "12333" in help_text
    face = [a for a in page.find("a") if a.text == "人脸识别登录"]
    assert len(face) == 2  # the way at the top, and beside the captcha
    assert face[0].attrs["href"] == face[1].attrs["href"]
    # 换一张 keeps its id through the swap (htmx gives the focus back to it)
    assert _by_id(page)["captcha-refresh"]["hx-target"] == "#captcha-box"
    # another image comes without the help: it stays once on the page
    again = client.get("/login/captcha/").content.decode()
    assert 'id="captcha-refresh"' in again and "captcha-help" not in again


def test_a_wrong_password_is_the_summary_itself(client):
    UserFactory(username="zhangsan")
    page = Page(login_post(client, "zhangsan", "Wrong-password-1").content.decode())
    assert _element_text(page, "error-summary-title") == "账号或密码错误，请重新输入"
    assert _summary_links(page) == []


def test_registration_marks_required_fields_and_links_the_consent(client):
    answer = client.post("/register/", {"doc_type": "resident_id"})
    assert answer.status_code == 400
    page = Page(answer.content.decode())
    fields = _by_id(page)
    for required in ("id_name", "id_doc_number", "id_phone", "id_username", "id_password1"):
        assert "required" in fields[required], required
    assert "required" not in fields["id_gender"] and "required" not in fields["id_birth_date"]
    labels = {e.attrs["for"]: e for e in page.find("label") if e.attrs.get("for")}
    # the mark beside the label, hidden from screen readers (they hear "required")
    wrapper = labels["id_name"].parents[-1]
    stars = [e for e in page.elements if e.attrs.get("class") == "req" and e.parents[-1] is wrapper]
    assert stars and stars[0].attrs.get("aria-hidden") == "true"
    assert labels["id_name"].text == "姓名"
    assert _assert_linked(page, "id_consent") == "请阅读并勾选同意后再注册"
    assert "required" in fields["id_consent"]
    linked = dict(_summary_links(page))
    assert linked["id_consent"] == "请阅读并勾选同意后再注册"
    assert set(linked) >= {"id_name", "id_doc_number", "id_phone", "id_username", "id_captcha_1"}
    for field in linked:
        _assert_linked(page, field)
    assert fields["id_name"]["autocomplete"] == "name"
    assert fields["id_username"]["autocomplete"] == "username"
    assert fields["id_phone"]["autocomplete"] == "tel"
    assert fields["id_password1"]["autocomplete"] == "new-password"
    assert "人脸识别登录" in _element_text(page, "captcha-help")


def test_an_item_page_fills_in_the_holder_s_own_contact_fields(client):
    user = UserFactory()
    sign_in(client, user, TrustLevel.L4)
    fields = _by_id(
        Page(client.get(item_url("change", f"person-{user.person.pk}")).content.decode())
    )
    assert fields["f-phone"]["autocomplete"] == "tel"
    assert fields["f-address"]["autocomplete"] == "street-address"
    assert fields["f-postcode"]["autocomplete"] == "postal-code"


def test_a_refused_item_form_links_its_radio_group_and_checkbox(client):
    user = UserFactory()
    card = CardFactory(person=user.person)
    sign_in(client, user, TrustLevel.L4)
    url = item_url("loss", f"card-{card.pk}")
    answer = client.post(url, {"token": str(uuid.uuid4())})
    assert answer.status_code == 400
    page = Page(answer.content.decode())
    assert _summary_links(page) == [("f-action", "请选择办理的业务")]
    group = next(e for e in page.find("fieldset") if "items" in e.attrs.get("class", ""))
    assert group.attrs["role"] == "radiogroup"
    assert group.attrs["aria-invalid"] == "true"
    assert _element_text(page, group.attrs["aria-describedby"]) == "请选择办理的业务"
    first = _by_id(page)["f-action"]
    assert first["type"] == "radio" and first["name"] == "action"

    formal = client.post(url, {"token": str(uuid.uuid4()), "action": "formal"})
    page = Page(formal.content.decode())
    assert _summary_links(page) == [("f-confirm_irreversible", _summary_links(page)[0][1])]
    assert _assert_linked(page, "f-confirm_irreversible") == _summary_links(page)[0][1]


def test_the_photo_verdict_lands_in_a_live_region(client):
    user = UserFactory()
    card = CardFactory(person=user.person, lost_formally=True)
    sign_in(client, user, TrustLevel.L4)
    page = Page(client.get(item_url("reissue", f"card-{card.pk}")).content.decode())
    region = _by_id(page)["photo-verdict"]
    assert region["role"] == "status" and region["aria-live"] == "polite"
    upload = _by_id(page)["f-photo"]
    assert upload["hx-target"] == "#photo-verdict" and upload["hx-swap"] == "innerHTML"


def test_the_staff_login_s_captcha_and_errors_are_linked(db):
    from sscard.web.forms import CAPTCHA_AFTER_FAILURES

    client = Client()
    for _ in range(CAPTCHA_AFTER_FAILURES):
        client.post("/staff/login/", {"username": "nobody", "password": "x" * 12, "otp_token": "1"})
    page = Page(client.post("/staff/login/", {"username": "nobody"}).content.decode())
    links = dict(_summary_links(page))
    assert "id_captcha_1" in links and "id_password" in links
    assert _assert_linked(page, "id_captcha_1") == "请输入验证码"
    image = next(e for e in page.find("img") if "captcha" in e.attrs.get("class", ""))
    assert image.attrs["alt"].startswith("图形验证码")


def test_an_employer_registers_with_autofill_but_adds_a_clerk_without(client):
    page = Page(client.get("/employer/register/").content.decode())
    fields = _by_id(page)
    assert fields["id_employer_name"]["autocomplete"] == "organization"
    assert fields["id_contact_name"]["autocomplete"] == "name"
    assert fields["id_contact_phone"]["autocomplete"] == "tel"
    assert "required" in fields["id_uscc"]


def test_the_counter_forms_link_their_errors(db):
    from sscard.accounts.models import User
    from sscard.testing.factories import OutletFactory, StaffFactory

    clerk = StaffFactory(role=User.Role.CLERK, outlet=OutletFactory())
    client = staff_client(clerk)
    answer = client.post("/staff/counter/apply/", {})
    page = Page(answer.content.decode())
    links = _summary_links(page)
    assert links, answer.content.decode()[:2000]
    for field, _text in links:
        assert _assert_linked(page, field)
