"""The benchmark's baseline: a bare Django view with no database access, served by the same
server in the same run, so that every scenario is measured as a ratio to it. Routed only when
``SSCARD_BENCH_BASELINE`` is on (off by default)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse


def baseline(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True, "service": "sscard"})
