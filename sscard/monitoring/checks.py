"""``check --deploy`` warns when the metrics (``/ops/``) would answer anyone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.checks import CheckMessage, Tags, register


@register(Tags.security, deploy=True)
def metrics_not_open_to_all(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.SSCARD_METRICS_ALLOWED_NETWORKS and not settings.SSCARD_METRICS_TOKEN:
        return [
            checks.Warning(
                "The metrics under /ops/ answer any address without a token.",
                hint="Set SSCARD_METRICS_ALLOWED_NETWORKS to the operator's networks, or "
                "SSCARD_METRICS_TOKEN (or both).",
                id="monitoring.W001",
            )
        ]
    return []
