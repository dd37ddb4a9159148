"""Building blocks of the portal's Django-test-client tests: signing in as the portal would,
a citizen with a history, and the markup checks every page must pass."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from django.test import Client

from sscard.testing.factories import PASSWORD

VERIFY_SMS = "/verify/sms/"


def step_up_by_sms(client: Client, person: Any, next_url: str) -> Any:
    """短信验证码验证 as a person does it from the step-up page: 获取验证码, read the code on
    the phone on file, enter it. Returns the answer (a redirect back to ``next_url``)."""
    from sscard.testing.sms import code_sent_to

    sent = client.post(VERIFY_SMS, {"action": "send", "next": next_url})
    assert sent.status_code == 200, sent.status_code
    code = code_sent_to(person.phone)
    done = client.post(VERIFY_SMS, {"action": "verify", "code": code, "next": next_url})
    assert done.status_code == 302, done.content.decode()[:500]
    return done


def login_post(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    """点击登录 → 账号密码绑定 → 登录, with the test run's captcha answer."""
    data = {
        "username": username,
        "password": password,
        "captcha_0": "test",
        "captcha_1": "PASSED",
        **extra.pop("data", {}),
    }
    return client.post("/login/", data, **extra)


# ---------------------------------------------------------------------------------------------
# Markup


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parents: list[Element]) -> None:
        self.tag, self.attrs, self.parents = tag, attrs, list(parents)
        self.text = ""


VOID = {"input", "meta", "link", "img", "br", "hr", "source", "area", "base", "col", "wbr"}


class Page(HTMLParser):
    """A parsed page: every element with its attributes and ancestors; the text of scripts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self._open)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}, self._open))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text += data

    def find(self, tag: str) -> Iterator[Element]:
        return (element for element in self.elements if element.tag == tag)


def markup_problems(html: str) -> list[str]:
    """What CSP, CSRF and the labels rule forbid in a page."""
    page = Page(html)
    problems: list[str] = []
    for element in page.elements:
        for name in element.attrs:
            if name.startswith("on"):
                problems.append(f"<{element.tag} {name}=…>: inline event handler")
            if name == "style":
                problems.append(f"<{element.tag} style=…>: inline style")
    for script in page.find("script"):
        if not script.attrs.get("src"):
            problems.append("<script> without src: inline script")
    for form in page.find("form"):
        if form.attrs.get("method", "get").lower() != "post":
            continue
        tokens = [
            e
            for e in page.elements
            if e.tag == "input"
            and form in e.parents
            and e.attrs.get("name") == "csrfmiddlewaretoken"
        ]
        if not tokens:
            problems.append(f"<form action={form.attrs.get('action', '')!r}> without CSRF token")
    labelled = {e.attrs["for"] for e in page.find("label") if e.attrs.get("for")}
    for control in page.elements:
        if control.tag not in ("input", "select", "textarea"):
            continue
        if control.attrs.get("type") in ("hidden", "submit", "button", "image", "reset"):
            continue
        inside_label = any(parent.tag == "label" for parent in control.parents)
        if (
            not control.attrs.get("id") or control.attrs["id"] not in labelled
        ) and not inside_label:
            problems.append(f"<{control.tag} name={control.attrs.get('name')!r}> has no label")
    return problems


# ---------------------------------------------------------------------------------------------
# Items


def item_url(item: str, target: str) -> str:
    return f"/bundles/sscard/{item}/{target}/"


def target_choices(client: Client, item: str) -> dict[str, str]:
    """选择社保卡 / 选择办理对象 of an item: each offered key and what is written beside it."""
    page = Page(client.get(f"/bundles/sscard/{item}/").content.decode())
    keys = [i.attrs["value"] for i in page.find("input") if i.attrs.get("name") == "target"]
    details = [s.text for s in page.find("span") if "item-limit" in s.attrs.get("class", "")]
    return dict(zip(keys, details, strict=True))


def apply_post(person: Any, bank: Any, outlet: Any, **overrides: Any) -> dict[str, Any]:
    """What the 申领 page posts for a person on record (their identity is fixed)."""
    return {
        "name": person.name,
        "gender": person.gender,
        "ethnicity": "汉族",
        "nationality": "中国",
        "birth_date": person.birth_date.isoformat(),
        "phone": "13912345678",
        "address": "广东省揭阳市榕城区新阳路18号",
        "occupation": "教师",
        "bank": bank.code,
        "delivery": "outlet",
        "outlet": outlet.code,
        **overrides,
    }


def draft_id_of(response: Any) -> str:
    """The draft a valid item page led to: /drafts/<id>/."""
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    assert location.startswith("/drafts/"), location
    return location.removeprefix("/drafts/").strip("/")
