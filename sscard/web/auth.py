"""Who is using the public side (the portal, the employers' pages, WeChat) and how sure we are
of it. A password login is trust level L3, a face-verified login L4; the level
lives in the session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from sscard.accounts.backends import BACKEND
from sscard.accounts.models import User
from sscard.accounts.requests import AuthedHttpRequest
from sscard.accounts.trust import Requester, TrustLevel

PUBLIC_ROLES = frozenset({User.Role.CITIZEN, User.Role.EMPLOYER})
TRUST_KEY = "trust"
# this session has been through WeChat web authorization once (sscard.wechat): it is not
# sent there again, so that a refusal or a logout inside WeChat does not loop
WECHAT_TRIED_KEY = "wechat_tried"

View = Callable[..., HttpResponse]


def portal_login(request: HttpRequest, user: User, *, trust: TrustLevel = TrustLevel.L3) -> None:
    """Sign ``user`` in to the portal at ``trust`` (a password login, a registration, a bound
    WeChat identity: L3)."""
    login(request, user, backend=BACKEND)
    request.session[TRUST_KEY] = int(trust)


def session_trust(request: HttpRequest) -> TrustLevel:
    return TrustLevel.parse(request.session.get(TRUST_KEY, TrustLevel.L3))


def requester_of(request: AuthedHttpRequest) -> Requester:
    """The signed-in citizen or employer and how sure this session is of them (views behind
    portal_login_required)."""
    return Requester(user=request.user, trust=session_trust(request))


def safe_next_of(request: HttpRequest, default: str) -> str:
    """The posted or requested ``next`` if it is on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def portal_login_required(view: View) -> View:
    """Citizens and employers only: an anonymous visitor goes to 点击登录 and comes back;
    a staff account is told to use the back office. The pages are never cached."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(user, "role", None) not in PUBLIC_ROLES:
            response = render(request, "portal/staff_account.html", status=403)
        else:
            response = view(request, *args, **kwargs)
        # a signed-in page holds personal data: not kept by the browser or a proxy
        add_never_cache_headers(response)
        return response

    return wrapped
