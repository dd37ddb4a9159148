"""Log a session out after a spell of inactivity (30 minutes by default)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SEEN_KEY = "seen"
# Writing the session on every request would cost a database write per page: the "last
# seen" time is refreshed at most once a minute, which is precise enough for 30 minutes.
REFRESH_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            idle = settings.SSCARD_IDLE_TIMEOUT.total_seconds()
            if seen is not None and now - int(seen) > idle:
                logout(request)
                request.session["idle_logout"] = True
            elif seen is None or now - int(seen) >= REFRESH_SECONDS:
                request.session[SEEN_KEY] = now
        return self.get_response(request)
