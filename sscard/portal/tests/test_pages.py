"""Every portal page, anonymous and signed in: a CSP without inline script, no inline
script, handlers or styles in the HTML, a CSRF token in every form, a label for every field,
and personal data only in masked form ."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from django.test import Client

from sscard.accounts.models import Person, User
from sscard.accounts.trust import TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.models import Application
from sscard.applications.tests.helpers import submit_apply
from sscard.cards.constants import CardStatus
from sscard.conftest import jpeg
from sscard.portal.models import Draft
from sscard.portal.tests.helpers import (
    Page,
    apply_post,
    draft_id_of,
    item_url,
    login_post,
    markup_problems,
)
from sscard.testing.factories import (
    CardFactory,
    EmployerAgentFactory,
    GuardianshipFactory,
    PersonFactory,
    UserFactory,
)
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

MAIL_ADDRESS = "广东省揭阳市榕城区临江北路66号7栋1201房"


@dataclass
class Visit:
    url: str
    client: Client
    method: str = "get"
    data: dict = field(default_factory=dict)
    personal: tuple[str, ...] = ()  # full values that must not appear (masked only)
    status: int = 200


@dataclass
class World:
    visits: dict[str, Visit]


def _personal(person: Person, *more: str) -> tuple[str, ...]:
    return (person.doc_number, person.phone, person.address, *more)


@pytest.fixture
def world(region, bank, outlet, reviewer) -> World:
    anonymous = Client()
    visits: dict[str, Visit] = {
        "home": Visit("/", anonymous),
        "center-guest": Visit("/me/", anonymous),
        "login": Visit("/login/", anonymous),
        "login-error": Visit(
            "/login/",
            anonymous,
            "post",
            {"username": "x", "password": "y", "captcha_0": "t", "captcha_1": "PASSED"},
            status=400,
        ),
        "register": Visit("/register/", anonymous),
        "register-error": Visit("/register/", anonymous, "post", {"name": "李"}, status=400),
        "bundles": Visit("/bundles/", anonymous),
        "bundle": Visit("/bundles/sscard/", anonymous),
        "bundle-error": Visit("/bundles/sscard/", anonymous, "post", {}, status=400),
    }

    # X: an active card of their own, a ward with a sealed card, face-verified
    x = UserFactory(username="xiaoxia", person__address="广东省揭阳市榕城区进贤门大道88号3栋")
    ward = PersonFactory(minor=True, name="张小宝")
    GuardianshipFactory(guardian=x.person, ward=ward, active=True)
    own_card = CardFactory(person=x.person, bank=bank)
    ward_card = CardFactory(person=ward, bank=bank, sealed=True)
    cx = sign_in(Client(), x, TrustLevel.L4)
    px = _personal(x.person)
    change = draft_id_of(
        cx.post(
            item_url("change", f"person-{x.person.pk}"),
            {"phone": "13700001111", "address": MAIL_ADDRESS, "token": str(uuid.uuid4())},
        )
    )
    visits |= {
        "center": Visit("/me/", cx, personal=px),
        "my-info": Visit("/me/info/", cx),
        "select-loss": Visit("/bundles/sscard/loss/", cx, personal=px),
        "select-apply": Visit("/bundles/sscard/apply/", cx, personal=px),
        "item-loss": Visit(item_url("loss", f"card-{own_card.pk}"), cx, personal=px),
        "item-loss-error": Visit(
            item_url("loss", f"card-{own_card.pk}"),
            cx,
            "post",
            {"action": "formal", "token": str(uuid.uuid4())},
            personal=px,
            status=400,
        ),
        "item-reissue": Visit(item_url("reissue", f"card-{own_card.pk}"), cx),
        "item-change": Visit(item_url("change", f"person-{x.person.pk}"), cx),
        "item-enable": Visit(item_url("enable", f"card-{ward_card.pk}"), cx),
        "item-status": Visit(item_url("status", f"card-{own_card.pk}"), cx, personal=px),
        "item-apply-ward-blocked": Visit(item_url("apply", f"person-{ward.pk}"), cx),
        # the new details X typed are shown in full: what the record holds is not
        "confirm-change": Visit(f"/drafts/{change}/", cx, personal=px),
    }
    # the step-up page: X again, after a password login
    cx3 = sign_in(Client(), x, TrustLevel.L3)
    visits["step-up"] = Visit(item_url("enable", f"card-{ward_card.pk}"), cx3, status=403)
    visits["login-done"] = Visit(
        "/login/",
        Client(),
        "post",
        {"username": "xiaoxia", "password": "correct horse battery"}
        | {"captcha_0": "t", "captcha_1": "PASSED"},
    )

    # Y: no card yet; applies through the pages, is returned, follows progress
    y = UserFactory(username="yangyang", person__address="广东省揭阳市榕城区东山大道9号")
    cy = sign_in(Client(), y, TrustLevel.L3)
    py = _personal(y.person, "13912345678", MAIL_ADDRESS)
    target = f"person-{y.person.pk}"
    form = apply_post(y.person, bank, outlet, delivery="mail", mail_address=MAIL_ADDRESS)
    apply_draft = draft_id_of(
        cy.post(item_url("apply", target), {**form, "token": str(uuid.uuid4()), "photo": jpeg()})
    )
    # Z: never applied, so the 申领 page itself (Y's is blocked by the time it is visited)
    z = UserFactory(username="zhouzhou")
    cz = sign_in(Client(), z, TrustLevel.L3)
    z_target = f"person-{z.person.pk}"
    z_form = apply_post(z.person, bank, outlet, phone="139")
    # a password login: the record's details prefill the page masked only (REVEAL_OWN)
    visits["item-apply"] = Visit(item_url("apply", z_target), cz, personal=_personal(z.person))
    visits["my-info-step-up"] = Visit("/me/info/", cz, personal=_personal(z.person), status=403)
    visits["item-apply-error"] = Visit(
        item_url("apply", z_target),
        cz,
        "post",
        {**z_form, "token": str(uuid.uuid4()), "photo": jpeg()},
        status=400,
    )
    visits["confirm-apply"] = Visit(f"/drafts/{apply_draft}/", cy, personal=_personal(y.person))
    yz = sign_in(Client(), y, TrustLevel.L3)
    second = draft_id_of(
        yz.post(item_url("apply", target), {**form, "token": str(uuid.uuid4()), "photo": jpeg()})
    )
    done = yz.post(f"/drafts/{second}/")
    assert done.status_code == 302, done.content.decode()
    application = Application.objects.get(applicant=y)
    visits["receipt"] = Visit(done["Location"], cy, personal=py)
    visits["my"] = Visit("/my/", cy, personal=py)
    visits["progress"] = Visit(item_url("progress", target), cy, personal=py)
    visits["blocked-apply"] = Visit(item_url("apply", target), yz, personal=py)
    services.application_accept(application=application, actor=reviewer)
    services.application_return(application=application, actor=reviewer, reason="照片不清晰")
    visits["returned"] = Visit(f"/my/{application.receipt_number}/", cy, personal=py)
    visits["correct"] = Visit(f"/my/{application.receipt_number}/correct/", cy)

    employer = sign_in(Client(), EmployerAgentFactory(username="danwei01"))
    visits["center-employer"] = Visit("/me/", employer)
    visits["my-employer"] = Visit("/my/", employer)
    visits["select-apply-employer"] = Visit("/bundles/sscard/apply/", employer)
    visits["item-apply-employer"] = Visit(item_url("apply", "new"), employer)

    staff = User.objects.get(pk=reviewer.pk)
    visits["staff-account"] = Visit("/my/", sign_in(Client(), staff), status=403)
    return World(visits)


def _fetch(visit: Visit):
    if visit.method == "post":
        return visit.client.post(visit.url, visit.data)
    return visit.client.get(visit.url)


def test_every_page_passes_the_markup_rules(world):
    problems: dict[str, list[str]] = {}
    for name, visit in world.visits.items():
        answer = _fetch(visit)
        assert answer.status_code == visit.status, (name, answer.status_code)
        assert answer["Content-Type"].startswith("text/html"), name
        found = markup_problems(answer.content.decode())
        if found:
            problems[name] = found
    assert problems == {}


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_every_page_carries_a_csp_without_inline_script(world):
    for name, visit in world.visits.items():
        answer = _fetch(visit)
        header = answer.get("Content-Security-Policy")
        assert header, name
        directives = _directives(header)
        scripts = directives.get("script-src", directives.get("default-src"))
        assert scripts, name
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, name
        assert "*" not in scripts and "data:" not in scripts, name
        assert directives["object-src"] == ["'none'"]
        # no <base> anywhere: an injected one could not point relative links elsewhere
        assert directives["base-uri"] == ["'none'"], name
        assert directives["frame-ancestors"] == ["'none'"]
        assert answer["X-Content-Type-Options"] == "nosniff"


def test_personal_data_is_shown_masked_only(world):
    checked = 0
    for name, visit in world.visits.items():
        if not visit.personal:
            continue
        html = _fetch(visit).content.decode()
        for value in visit.personal:
            assert value, name
            assert value not in html, (name, value)
            checked += 1
    assert checked >= 40


def test_the_masked_forms_are_there(world):
    """The pages do show who and what, masked (so the test above is not vacuous)."""
    center = _fetch(world.visits["center"]).content.decode()
    x = Person.objects.get(user__username="xiaoxia")
    assert x.masked_doc_number in center and x.masked_phone in center
    confirm = _fetch(world.visits["confirm-apply"]).content.decode()
    y = Person.objects.get(user__username="yangyang")
    assert y.masked_doc_number in confirm  # from the record: masked
    # what Y typed, in full, so that a typo can be caught before it is submitted
    assert "13912345678" in confirm and "广东省揭阳市榕城区新阳路18号" in confirm
    assert MAIL_ADDRESS in confirm
    change = _fetch(world.visits["confirm-change"]).content.decode()
    assert "13700001111" in change and MAIL_ADDRESS in change


def test_login_page_is_not_cached_with_a_session_in_it(client):
    """The captcha changes on each view; nothing of it comes from a shared cache."""
    first = client.get("/login/").content.decode()
    second = client.get("/login/").content.decode()
    assert first != second


def test_the_login_success_page_has_the_marks_too(client):
    UserFactory(username="zhaoliu")
    done = login_post(client, "zhaoliu")
    assert markup_problems(done.content.decode()) == []


def test_the_markup_rules_catch_what_they_forbid():
    bad = """<html><body onload="x()"><script>alert(1)</script><p style="color:red">x</p>
    <form method="post"><input name="phone" id="f-phone"><select name="bank"></select></form>
    <form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t">
    <label>姓名 <input name="name"></label><label for="f-a">A</label><input id="f-a" name="a">
    <input type="submit"></form><script src="/static/x.js"></script></body></html>"""
    assert markup_problems(bad) == [
        "<body onload=…>: inline event handler",
        "<p style=…>: inline style",
        "<script> without src: inline script",
        "<form action=''> without CSRF token",
        "<input name='phone'> has no label",
        "<select name='bank'> has no label",
    ]


def test_pages_with_personal_data_are_never_cached(world):
    """What a signed-in citizen sees, and a form holding what they typed,
    is not kept by the browser's cache or a proxy (a shared phone, a kiosk)."""
    anonymous = world.visits["home"].client
    checked = []
    for name, visit in world.visits.items():
        if visit.client is anonymous and name not in ("login-error", "register-error"):
            continue
        answer = _fetch(visit)
        directives = {d.strip() for d in answer.get("Cache-Control", "").split(",")}
        assert {"no-store", "private"} <= directives, (name, answer.get("Cache-Control"))
        checked.append(name)
    assert len(checked) > 20


def test_every_post_without_its_csrf_token_is_refused(region, bank, outlet):
    """A cross-site POST (no token) changes nothing, on every form."""
    user = UserFactory()
    application = submit_apply(user, bank, outlet)
    card = CardFactory(person=user.person, bank=bank)
    draft = Draft.objects.create(
        user=user,
        item="loss",
        card=card,
        data={"action": "temporary", "confirmed_irreversible": False}
        | {"_target": f"card-{card.pk}", "_bundle": "sscard"},
    )
    client = sign_in(Client(enforce_csrf_checks=True), user, TrustLevel.L4)
    receipt = application.receipt_number
    urls = [
        "/login/",
        "/register/",
        "/logout/",
        "/elder/",
        "/bundles/sscard/",
        "/bundles/sscard/loss/",
        item_url("loss", f"card-{card.pk}"),
        f"/drafts/{draft.pk}/",
        f"/drafts/{draft.pk}/discard/",
        f"/my/{receipt}/withdraw/",
        f"/my/{receipt}/correct/",
    ]
    for url in urls:
        answer = client.post(url, {"action": "temporary", "item": "loss"})
        assert answer.status_code == 403, url
    card.refresh_from_db()
    application.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert application.status == AppStatus.SUBMITTED
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert "_auth_user_id" in client.session

    # with the page's own token the same POST goes through
    page = Page(client.get(f"/drafts/{draft.pk}/").content.decode())
    token = next(
        i.attrs["value"] for i in page.find("input") if i.attrs["name"] == "csrfmiddlewaretoken"
    )
    assert client.post(f"/drafts/{draft.pk}/", {"csrfmiddlewaretoken": token}).status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.TEMP_LOST


def test_an_employers_centre_offers_no_face_verification_and_no_name_letter(client):
    agent = EmployerAgentFactory()
    client.force_login(agent)

    page = client.get("/me/").content.decode()

    assert agent.employer.name in page
    assert "人脸识别认证" not in page  # an employer account has no face to verify
    assert 'class="avatar"' not in page


def test_a_citizens_centre_offers_face_verification(client):
    client.force_login(UserFactory())

    assert "人脸识别认证" in client.get("/me/").content.decode()
