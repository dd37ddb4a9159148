"""WeChat configuration mistakes caught at start-up (``manage.py check``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security)
def wechat_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if settings.SSCARD_WECHAT_SIMULATOR and settings.SSCARD_ENV == "production":
        errors.append(
            Error(
                "The simulated WeChat is enabled in production.",
                hint="Set SSCARD_WECHAT_SIMULATOR=false and configure SSCARD_WECHAT_APPID.",
                id="wechat.E001",
            )
        )
    if settings.SSCARD_WECHAT_APPID and not settings.SSCARD_WECHAT_SECRET:
        errors.append(
            Error("SSCARD_WECHAT_APPID is set without SSCARD_WECHAT_SECRET.", id="wechat.E002")
        )
    return errors
