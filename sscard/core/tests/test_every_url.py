"""Every URL of the site, walked from the resolver: each one is declared for an audience (a
new page fails the walk until it is placed), nothing but the public pages answers an
anonymous visitor, a citizen's session opens neither the back office nor the partner API,
and every HTML answer — to any visitor, at any status — carries the browser's security
headers as production sends them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from sscard.accounts.models import User
from sscard.accounts.trust import TrustLevel
from sscard.identity import oidc
from sscard.testing import http
from sscard.testing.factories import EmployerAgentFactory, StaffFactory, UserFactory
from sscard.testing.otp import otp_login
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

# Who each URL is for, by its namespaced name (``portal:login``) or, for the few unnamed
# third-party routes, by their namespace prefix.
PUBLIC = "public"  # anyone, by design: the catalogue, the logins, the captcha, signed links
CITIZEN = "citizen"  # a portal login (citizen or employer account)
EMPLOYER = "employer"  # an employer's 经办人
STAFF = "staff"  # the back office: password + TOTP, then the role's permissions
ADMIN = "admin"  # the Django admin, behind the same two factors
PARTNER = "partner"  # the partner API: a signed request from a registered partner system
SIMULATOR = "simulator"  # the demo's simulated IdP, SMS, WeChat, payments (never production)
OPERATOR = "operator"  # the metrics: the operator's networks (and token) only

AUDIENCE: dict[str, str] = {
    "favicon": PUBLIC,
    "jwks": PUBLIC,  # the public keys that verify the e-card and receipt signatures
    "monitoring:healthz": PUBLIC,  # the load balancer's probes
    "monitoring:readyz": PUBLIC,
    "monitoring:metrics": OPERATOR,
    "captcha-image": PUBLIC,
    "captcha-image-2x": PUBLIC,
    "captcha-audio": PUBLIC,
    "captcha-refresh": PUBLIC,
    "portal:home": PUBLIC,
    "portal:center": PUBLIC,  # 个人中心 invites a visitor to log in
    "portal:login": PUBLIC,
    "portal:captcha": PUBLIC,
    "portal:register": PUBLIC,
    "portal:register_code": PUBLIC,
    "portal:logout": PUBLIC,  # POST only; ends whatever session there is
    "portal:elder": PUBLIC,  # 长辈模式, a display preference
    "portal:bundles": PUBLIC,
    "portal:bundle": PUBLIC,
    "portal:select": CITIZEN,
    "portal:report": PUBLIC,  # “不是本人操作”: a signed, expiring link sent to the phone on file
    "portal:photo_check": CITIZEN,
    "portal:password": CITIZEN,
    "portal:my_info": CITIZEN,
    "portal:ecard": CITIZEN,
    "portal:ecard_code": CITIZEN,
    "portal:verify_sms": CITIZEN,
    "portal:item": CITIZEN,
    "portal:receive": CITIZEN,
    "portal:ward_check": CITIZEN,
    "portal:confirm": CITIZEN,
    "portal:discard": CITIZEN,
    "portal:applications": CITIZEN,
    "portal:application": CITIZEN,
    "portal:withdraw": CITIZEN,
    "portal:pay": CITIZEN,  # 去支付, and the way back from the payment gateway's page
    "portal:paid": CITIZEN,
    "portal:correct": CITIZEN,
    "portal:receipt_pdf": CITIZEN,
    # a receipt's QR code: signed, it shows masked facts to whoever holds the paper
    "portal:verify_receipt": PUBLIC,
    "portal:appointment_new": CITIZEN,
    "portal:appointment": CITIZEN,
    "portal:appointment_reschedule": CITIZEN,
    "portal:appointment_cancel": CITIZEN,
    "notifications:inbox": CITIZEN,
    "notifications:read": CITIZEN,
    "notifications:read_all": CITIZEN,
    "notifications:preferences": CITIZEN,
    "files:material": CITIZEN,  # and the staff whose role needs the file
    "identity:start": PUBLIC,
    "identity:callback": PUBLIC,
    "wechat:start": PUBLIC,
    "wechat:callback": PUBLIC,
    "wechat:bind": PUBLIC,  # binding proves the account by password and a code on file
    "wechat:complete": CITIZEN,
    "wechat:unbind": CITIZEN,
    "employers:index": PUBLIC,  # the employer area's front page: log in or register
    "employers:register": PUBLIC,
    "employers:licence": EMPLOYER,
    "employers:licence_file": EMPLOYER,
    "employers:clerks": EMPLOYER,
    "employers:clerk_toggle": EMPLOYER,
    "employers:batches": EMPLOYER,
    "employers:template": EMPLOYER,
    "employers:batch": EMPLOYER,
    "employers:batch_progress": EMPLOYER,
    "employers:batch_errors": EMPLOYER,
    "employers:batch_submit": EMPLOYER,
    "employers:batch_cancel": EMPLOYER,
    "employers:employees": EMPLOYER,
    "employers:employees_export": EMPLOYER,
    "employers:employee": EMPLOYER,
    "backoffice:login": PUBLIC,
    "backoffice:logout": PUBLIC,
    # the partner API's contract, served as its description says (operations, no data)
    "partner_api:openapi-json": PUBLIC,
    "partner_api:api-root": PARTNER,
    "partner_api:list_batches": PARTNER,
    "partner_api:list_deliveries": PARTNER,
    "partner_api:get_batch": PARTNER,
    "partner_api:acknowledge_batch": PARTNER,
    "partner_api:push_events": PARTNER,
    "partner_api:push_results": PARTNER,
    "partner_api:ecard_verify_code": PARTNER,
    # the payment gateway's notification: a request signed with the merchant key, like the
    # partners' (unsigned: refused)
    "payments:notify": PARTNER,
}
# whole namespaces with one audience
AUDIENCE_BY_PREFIX: dict[str, str] = {
    "backoffice:": STAFF,  # each screen's roles: sscard/backoffice/tests/test_access.py
    "production:": STAFF,
    "notifications_staff:": STAFF,
    "admin:": ADMIN,
    "idp_sim:": SIMULATOR,
    "sms_sim:": SIMULATOR,
    "pay_sim:": SIMULATOR,
    "wechat_sim:": SIMULATOR,
}
# the admin's own login and logout pages (its login forwards to the staff login, with TOTP)
ADMIN_OPEN = {"admin:login", "admin:logout", "admin:javascript-catalog"}
# a file that is not there, or not the visitor's, is not found — for an anonymous visitor too
NOT_FOUND_FIRST = {"files:material"}


@dataclass
class Route:
    name: str
    route: str
    pattern: URLPattern

    @property
    def audience(self) -> str:
        if self.name in AUDIENCE:
            return AUDIENCE[self.name]
        if self.name in ADMIN_OPEN:
            return PUBLIC
        for prefix, audience in AUDIENCE_BY_PREFIX.items():
            if self.name.startswith(prefix):
                return audience
        raise KeyError(self.name)

    def url(self) -> str:
        """The address with a made-up value in each of its parameters."""
        path = "/" + self.route
        # the route as typed (``<int:pk>``) rather than the converter's class name
        for part in self.route.split("<")[1:]:
            token = part.split(">")[0]
            kind = token.split(":")[0] if ":" in token else "str"
            sample = {"int": "999999", "uuid": str(uuid.UUID(int=1)), "slug": "sscard"}.get(
                kind, "x1"
            )
            path = path.replace(f"<{token}>", sample)
        # regex routes (the captcha's, the admin's): a plain word in each group
        if "(?P<" in path or "^" in path or "$" in path:
            return ""
        return path


def _routes(patterns=None, route: str = "", namespace: str = "") -> list[Route]:
    found: list[Route] = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        full = route + str(p.pattern)
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += _routes(p.url_patterns, full, inner)
        else:
            found.append(Route(namespace + (p.name or full), full, p))
    return found


def _walkable() -> list[Route]:
    return [r for r in _routes() if r.url() and r.audience != SIMULATOR]


def test_every_url_is_declared_for_an_audience():
    undeclared = []
    for route in _routes():
        try:
            route.audience  # noqa: B018 — looking it up is the check
        except KeyError:
            undeclared.append(f"/{route.route} ({route.name})")
    assert undeclared == []  # a new page is placed in AUDIENCE above, on purpose
    # the table holds no name the site no longer has
    assert set(AUDIENCE) <= {r.name for r in _routes()}
    assert len(_walkable()) > 100


LOGIN_FOR = {CITIZEN: "/login/", EMPLOYER: "/login/", STAFF: "/staff/login/", ADMIN: "/staff/"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_opens_nothing_but_the_public_pages(method):
    client = Client()
    opened = []
    for route in _walkable():
        if route.audience == PUBLIC:  # open indeed: not sent to a login
            answer = getattr(client, method)(route.url())
            if route.name not in ADMIN_OPEN:  # the admin's login is the staff login's
                assert "login/?next=" not in answer.get("Location", ""), route.name
            continue
        if route.audience == OPERATOR:  # from outside the operator's networks: refused
            answer = getattr(client, method)(route.url(), REMOTE_ADDR="203.0.113.9")
            if answer.status_code not in (403, 405):
                opened.append((route.name, method, answer.status_code, ""))
            continue
        answer = getattr(client, method)(route.url())
        status = answer.status_code
        if route.audience == PARTNER:  # unsigned: refused, or no such operation
            ok = status in (401, 404, 405)
        elif status == 405 or (status == 404 and route.name in NOT_FOUND_FIRST):
            ok = True  # the method is refused before anything else
        else:
            location = answer.get("Location", "")
            ok = status == 302 and location.startswith((LOGIN_FOR[route.audience], "/admin/login/"))
        if not ok:
            opened.append((route.name, method, status, answer.get("Location")))
    assert opened == [], "\n".join(map(str, opened))


def test_a_citizens_session_opens_neither_the_back_office_the_admin_nor_the_partner_api():
    client = sign_in(Client(), UserFactory(), TrustLevel.L4)
    opened = []
    for route in _walkable():
        if route.audience not in (STAFF, ADMIN, PARTNER) or route.name in ADMIN_OPEN:
            continue
        for method in ("get", "post"):
            answer = getattr(client, method)(route.url())
            status = answer.status_code
            refused = status in (401, 403, 404, 405) or (
                status == 302 and "login" in answer.get("Location", "")
            )
            if not refused:
                opened.append((route.name, method, status))
    assert opened == [], "\n".join(map(str, opened))


def test_a_citizens_session_opens_no_employer_page():
    client = sign_in(Client(), UserFactory(), TrustLevel.L4)
    for route in _walkable():
        if route.audience == EMPLOYER:
            for method in ("get", "post"):  # 405: the other method of a one-method view
                answer = getattr(client, method)(route.url())
                assert answer.status_code in (403, 405), (route.name, method)


# ---------------------------------------------------------------------------------------------
# Security headers on every HTML answer

# an error page is checked like any other
PLAIN = {"raise_request_exception": False}
PRODUCTION_HEADERS = {"SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_PRELOAD": True}


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _header_problems(answer) -> list[str]:
    problems = []
    csp = _directives(answer.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src", []))
    if not scripts or {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(scripts):
        problems.append(f"script-src {scripts}")
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if csp.get(directive) != ["'none'"]:
            problems.append(f"{directive} {csp.get(directive)}")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    problems += [f"{k}: {answer.get(k)}" for k, v in expected.items() if answer.get(k) != v]
    hsts = answer.get("Strict-Transport-Security", "")
    parts = {p.strip().split("=")[0]: p.strip() for p in hsts.split(";") if p.strip()}
    age = int(parts.get("max-age", "max-age=0").split("=")[1])
    if age < 31536000 or "includeSubDomains" not in parts:
        problems.append(f"Strict-Transport-Security: {hsts!r}")
    return problems


def _visitors() -> dict[str, Client]:
    """Each population's browser over HTTPS, signed in as its logins leave it."""
    citizen = sign_in(Client(**PLAIN), UserFactory(), TrustLevel.L4)
    employer = sign_in(Client(**PLAIN), EmployerAgentFactory())
    reviewer = otp_login(Client(**PLAIN), StaffFactory(role=User.Role.REVIEWER))
    producer = otp_login(Client(**PLAIN), StaffFactory(role=User.Role.PRODUCER))
    admin = otp_login(Client(**PLAIN), StaffFactory(role=User.Role.ADMIN, is_superuser=True))
    return {
        "anonymous": Client(**PLAIN),
        "citizen": citizen,
        "employer": employer,
        "reviewer": reviewer,
        "producer": producer,
        "admin": admin,
    }


def test_every_html_answer_carries_the_security_headers(region):
    oidc.clear_caches()
    with override_settings(**PRODUCTION_HEADERS), http.back_channel_routed(http.BackChannel()):
        visitors = _visitors()  # clients made here load the middleware with these settings
        problems: dict[tuple[str, str], list[str]] = {}
        pages = statuses = 0
        for who, client in visitors.items():
            for route in _walkable():
                if route.audience == PARTNER:
                    continue
                answer = client.get(route.url(), secure=True)  # HSTS goes over HTTPS only
                if not answer.get("Content-Type", "").startswith("text/html"):
                    continue
                statuses += 1
                pages += answer.status_code == 200
                found = _header_problems(answer)
                if found:
                    problems[(who, route.name)] = found
    assert problems == {}
    assert pages > 60 and statuses > 300  # real pages, not only refusals
