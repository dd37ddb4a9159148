"""``/healthz``, ``/readyz`` and ``/ops/metrics``. None of them is rate-limited, redirected to
HTTPS (``SECURE_REDIRECT_EXEMPT``) or stored by a cache; their requests are logged at DEBUG."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.views import HealthCheckView
from prometheus_client import CONTENT_TYPE_LATEST

from sscard.core.logs import quiet_log
from sscard.monitoring.access import operator_allowed
from sscard.monitoring.health import readiness_checks
from sscard.monitoring.metrics import exposition

PLAIN = "text/plain; charset=utf-8"


@quiet_log
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Alive: the process answers. Touches neither the database nor the cache, so a database
    outage takes the site out of the balancer (``/readyz``) without the processes being
    restarted for it."""
    return HttpResponse("ok\n", content_type=PLAIN)


class ReadinessView(HealthCheckView):
    """Ready: 200 with each check's ``OK``, or 503 with what failed, one check a line
    (``Migrations(alias='default'): Unavailable: 1 unapplied: cards.0012_x``); JSON
    (``{check: "OK" | error}``) to a client that asks for it, by ``Accept`` or ``?format=json``."""

    def get_checks(self) -> Iterator[HealthCheck]:
        yield from readiness_checks()

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        status = 503 if any(result.error for result in self.results) else 200
        if request.GET.get("format") == "json" or "json" in request.headers.get("Accept", ""):
            return self.render_to_response_json(status)
        return self.render_to_response_text(status)


readyz = quiet_log(ReadinessView.as_view())


@quiet_log
@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not operator_allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type=PLAIN)
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
