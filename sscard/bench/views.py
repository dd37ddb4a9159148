"""The benchmark's two reference pages, served by the same server in the same run, so that
every scenario is measured as a ratio to them: the *baseline*, a bare Django view with no
database access, and the *floor*, a signed-in citizen's page that renders the portal's base
template and nothing else (the session, the user, the middleware and the page's frame: what
every portal page costs before it does any work of its own). Routed only when
``SSCARD_BENCH_BASELINE`` is on (off by default)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from sscard.web.auth import portal_login_required


def baseline(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True, "service": "sscard"})


@portal_login_required
def floor(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/base.html")
