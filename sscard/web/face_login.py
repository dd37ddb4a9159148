"""人脸识别登录, this site's side: start the OpenID Connect flow, take the provider's answer.

``identity:start`` (``/login/face/?next=/path``) is the link behind “人脸识别登录” and the
step-up for items that need L4, in the portal, on the step-up and lock-out pages and in
WeChat (which comes back to its own page); ``identity:callback`` is the redirect URI
registered at the provider. Every failure ends on a plain Chinese page (the portal's
``identity/failed.html``) with a way back to 点击登录. The client and the accounts are the
domain's (sscard.identity).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sscard.core.errors import DomainError
from sscard.identity import oidc, services

PENDING_SESSION_KEY = "identity_oidc_pending"
# logins started in other tabs that may still come back
MAX_PENDING = 3


def _home() -> str:
    return reverse("portal:home")


def _login_url() -> str:
    try:
        return reverse("portal:login")
    except NoReverseMatch:
        return reverse("identity:start")


@require_GET
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    next_url = services.safe_next(request.GET.get("next"), default=_home())
    provider = oidc.provider_for(request)
    if provider is None:
        return _failed(request, oidc.OIDCError("unavailable"), next_url, status=503)
    try:
        url, pending = oidc.begin(provider, next_url=next_url)
    except oidc.OIDCError as exc:
        return _failed(request, exc, next_url, status=502)
    waiting: dict[str, Any] = request.session.get(PENDING_SESSION_KEY, {})
    newest = sorted(waiting.items(), key=lambda item: item[1].get("started", 0))[-MAX_PENDING + 1 :]
    request.session[PENDING_SESSION_KEY] = dict(newest) | {pending["state"]: pending}
    return HttpResponseRedirect(url)


@require_GET
@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    waiting: dict[str, Any] = request.session.get(PENDING_SESSION_KEY, {})
    pending = waiting.pop(state, None) if state else None
    request.session[PENDING_SESSION_KEY] = waiting  # each login answers once
    issuer = str(pending["issuer"]) if pending else ""
    if pending is None:
        services.refuse_login(request=request, reason="state", issuer=issuer)
        return _failed(request, oidc.OIDCError("state"), _home(), status=400)
    next_url = services.safe_next(pending.get("next"), default=_home())
    provider = oidc.provider_for(request)
    if provider is None:
        return _failed(request, oidc.OIDCError("unavailable"), next_url, status=503)
    error = request.GET.get("error")
    code = request.GET.get("code", "")
    try:
        if error:
            raise oidc.OIDCError("denied" if error == "access_denied" else "provider_error")
        if not code:
            raise oidc.OIDCError("provider_error", detail="no code")
        identity = oidc.finish(provider, pending=pending, code=code)
    except oidc.OIDCError as exc:
        services.refuse_login(request=request, reason=exc.code, issuer=issuer)
        status = {"unreachable": 502, "denied": 200}.get(exc.code, 400)
        return _failed(request, exc, next_url, status=status)
    try:
        services.face_login(request=request, identity=identity)
    except DomainError as exc:
        return _failed(request, exc, next_url, status=403)
    return HttpResponseRedirect(next_url)


def _failed(
    request: HttpRequest, exc: oidc.OIDCError | DomainError, next_url: str, *, status: int
) -> HttpResponse:
    login_url = _login_url()
    if login_url == reverse("identity:start"):
        login_url += "?next=" + next_url
    return render(
        request,
        "identity/failed.html",
        {"message": exc.message, "login_url": login_url, "home_url": _home()},
        status=status,
    )
