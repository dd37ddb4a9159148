"""The simulated identity provider accepts any name with any face: it must never run where
real people log in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security)
def simulator_not_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.SSCARD_IDP_SIMULATOR and settings.SSCARD_ENV == "production":
        return [
            Error(
                "The simulated identity provider is enabled in production.",
                hint="Set SSCARD_IDP_SIMULATOR=false and configure SSCARD_OIDC_ISSUER.",
                id="identity.E001",
            )
        ]
    return []
