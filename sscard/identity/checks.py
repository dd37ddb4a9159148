"""Configuration mistakes of 人脸识别登录 caught at start-up (``manage.py check``, run by
``migrate`` and the deployment checklist) instead of at a citizen's first login."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security)
def simulator_not_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The simulated provider accepts any name with any face: never where real people log in."""
    if settings.SSCARD_IDP_SIMULATOR and settings.SSCARD_ENV == "production":
        return [
            Error(
                "The simulated identity provider is enabled in production.",
                hint="Set SSCARD_IDP_SIMULATOR=false and configure SSCARD_OIDC_ISSUER.",
                id="identity.E001",
            )
        ]
    return []


@register(Tags.security)
def provider_complete(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.SSCARD_OIDC_ISSUER:
        return []  # face login is off; the password login remains (人脸办法: not the only way)
    errors: list[CheckMessage] = []
    if not settings.SSCARD_OIDC_CLIENT_ID or not settings.SSCARD_OIDC_CLIENT_SECRET:
        errors.append(
            Error(
                "SSCARD_OIDC_ISSUER is set without SSCARD_OIDC_CLIENT_ID and "
                "SSCARD_OIDC_CLIENT_SECRET.",
                id="identity.E002",
            )
        )
    endpoints = [
        settings.SSCARD_OIDC_AUTHORIZATION_ENDPOINT,
        settings.SSCARD_OIDC_TOKEN_ENDPOINT,
        settings.SSCARD_OIDC_JWKS_URI,
    ]
    if any(endpoints) and not all(endpoints):
        errors.append(
            Error(
                "Set all three explicit OIDC endpoints (authorization, token, JWKS) or none.",
                id="identity.E003",
            )
        )
    urls = [settings.SSCARD_OIDC_ISSUER, *filter(None, endpoints)]
    if settings.SSCARD_ENV == "production" and any(urlsplit(u).scheme != "https" for u in urls):
        errors.append(
            Error("The identity provider must be reached over HTTPS.", id="identity.E004")
        )
    if settings.SSCARD_OIDC_TOKEN_AUTH_METHOD not in {"client_secret_basic", "client_secret_post"}:
        errors.append(
            Error(
                "SSCARD_OIDC_TOKEN_AUTH_METHOD is client_secret_basic or client_secret_post.",
                id="identity.E005",
            )
        )
    return errors
