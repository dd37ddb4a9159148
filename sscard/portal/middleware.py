"""Log a session out after a spell of inactivity (30 minutes for citizens, 15 for staff) and,
however active, once it is older than its absolute lifetime (``SESSION_COOKIE_AGE``, 8 hours):
a shared terminal in a service hall or a stolen cookie does not stay signed in for ever."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from sscard.accounts.staff import STAFF_ROLES

SEEN_KEY = "seen"
LOGIN_AT_KEY = "login_at"
# what 个人中心 says after an automatic logout
IDLE_FLAG, EXPIRED_FLAG = "idle_logout", "session_expired"
# Writing the session on every request would cost a database write per page: the "last
# seen" time is refreshed at most once a minute, which is precise enough for 30 minutes.
REFRESH_SECONDS = 60


def record_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: every login (password, face, WeChat, staff) starts the clocks."""
    now = int(time.time())
    request.session[LOGIN_AT_KEY] = now
    request.session[SEEN_KEY] = now


def idle_limit(user: Any) -> float:
    staff = getattr(user, "role", None) in STAFF_ROLES
    limit = settings.SSCARD_STAFF_IDLE_TIMEOUT if staff else settings.SSCARD_IDLE_TIMEOUT
    return limit.total_seconds()


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            seen, login_at = session.get(SEEN_KEY), session.get(LOGIN_AT_KEY)
            if login_at is not None and now - int(login_at) > settings.SESSION_COOKIE_AGE:
                logout(request)
                request.session[EXPIRED_FLAG] = True
            elif seen is not None and now - int(seen) > idle_limit(request.user):
                logout(request)
                request.session[IDLE_FLAG] = True
            elif seen is None or now - int(seen) >= REFRESH_SECONDS:
                session[SEEN_KEY] = now
                # a session from before login times were kept starts its lifetime now
                session.setdefault(LOGIN_AT_KEY, now)
        return self.get_response(request)
