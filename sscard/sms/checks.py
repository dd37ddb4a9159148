"""The simulated SMS gateway never runs where real people get texts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security)
def simulator_not_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.SSCARD_SMS_SIMULATOR and settings.SSCARD_ENV == "production":
        return [
            Error(
                "The simulated SMS gateway is enabled in production.",
                hint="Set SSCARD_SMS_SIMULATOR=false and SSCARD_SMS_GATEWAY_URL to the real "
                "gateway.",
                id="sms.E001",
            )
        ]
    return []
