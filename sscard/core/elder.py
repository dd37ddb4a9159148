"""长辈模式 (the MIIT's 适老化 mode: larger type, larger targets, higher contrast) is a display
preference the browser keeps in a cookie, not the session: it holds on pages signed out, on the
login page, after logout and after an automatic logout, and on the error pages, which read no
session. Whoever last switched it, in the top bar or in 个人中心, decides; nothing else does.

The cookie is no secret, but no script needs to read it either (the page's class says the
mode), so it is HttpOnly; SameSite=Lax and Secure as the session cookie is."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

ELDER_COOKIE = "elder"
ELDER_COOKIE_AGE = timedelta(days=365)
ON = "1"


def elder_mode(request: HttpRequest) -> bool:
    """Whether the visitor chose 长辈模式."""
    return request.COOKIES.get(ELDER_COOKIE) == ON


def remember_elder_mode(response: HttpResponseBase, *, on: bool) -> None:
    """Keep the choice in the browser for a year (or forget it: the standard mode)."""
    if on:
        response.set_cookie(
            ELDER_COOKIE,
            ON,
            max_age=ELDER_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")


def elder_context(request: HttpRequest) -> dict[str, bool]:
    """Context processor: ``elder_mode`` for every template rendered with a request."""
    return {"elder_mode": elder_mode(request)}
