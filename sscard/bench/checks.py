"""The benchmark's pages (/bench/baseline, /bench/floor) are for a measuring run only: a
deployment's ``check --deploy`` says so when they are routed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.checks import CheckMessage, Tags, register


@register(Tags.security, deploy=True)
def bench_pages_not_deployed(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.SSCARD_BENCH_BASELINE:
        return [
            checks.Warning(
                "The benchmark's pages (/bench/) are routed.",
                hint="Unset SSCARD_BENCH_BASELINE: only scripts/bench.py's server turns it on.",
                id="bench.W001",
            )
        ]
    return []
