"""The simulated payment gateway never runs where real people pay; online payment needs a key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security)
def payment_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if settings.SSCARD_PAYMENT_SIMULATOR and settings.SSCARD_ENV == "production":
        errors.append(
            Error(
                "The simulated payment gateway is enabled in production.",
                hint="Set SSCARD_PAYMENT_SIMULATOR=false and SSCARD_PAYMENT_GATEWAY_URL to the "
                "real gateway.",
                id="payments.E001",
            )
        )
    if settings.SSCARD_PAYMENTS and (
        not settings.SSCARD_PAYMENT_KEY or not settings.SSCARD_PAYMENT_GATEWAY_URL
    ):
        errors.append(
            Error(
                "Online payment is on without a gateway address or key.",
                hint="Set SSCARD_PAYMENT_GATEWAY_URL and SSCARD_PAYMENT_KEY (the key signs the "
                "requests and checks the gateway's notifications), or SSCARD_PAYMENTS=false.",
                id="payments.E002",
            )
        )
    return errors
