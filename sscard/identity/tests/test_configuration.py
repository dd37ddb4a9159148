"""Face login's settings: documented, and checked at start-up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import override_settings

from sscard.accounts.models import User
from sscard.identity.models import ExternalIdentity
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.otp import otp_login

ROOT = Path(settings.BASE_DIR)
PROVIDER = {
    "SSCARD_OIDC_ISSUER": "https://idp.example.gov.cn",
    "SSCARD_OIDC_CLIENT_ID": "sscard",
    "SSCARD_OIDC_CLIENT_SECRET": "s" * 32,
}


def _ids() -> list[str]:
    return [m.id for m in run_checks() if m.id and m.id.startswith("identity.")]


def test_every_face_login_setting_is_listed_in_env_example():
    read = set(
        re.findall(
            r'env\.\w+\(\s*"(SSCARD_(?:OIDC|IDP)_\w+)"', (ROOT / "config/settings.py").read_text()
        )
    )
    listed = set(re.findall(r"^(SSCARD_\w+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read and read <= listed


def test_the_backend_face_logins_are_recorded_with_is_an_authentication_backend():
    from sscard.identity.services import BACKEND

    assert BACKEND in settings.AUTHENTICATION_BACKENDS


def test_the_demo_env_turns_the_simulator_on(tmp_path):
    import runpy

    make_env = runpy.run_path(str(ROOT / "scripts/make_env.py"))
    make_env["main"](tmp_path / ".env")
    assert "SSCARD_IDP_SIMULATOR=true" in (tmp_path / ".env").read_text()


def test_the_simulator_is_off_unless_enabled():
    text = (ROOT / "config/settings.py").read_text()
    assert 'env.bool("SSCARD_IDP_SIMULATOR", default=False)' in text


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"SSCARD_ENV": "production", "SSCARD_IDP_SIMULATOR": True}, ["identity.E001"]),
        ({"SSCARD_ENV": "production", "SSCARD_IDP_SIMULATOR": False}, []),
        (PROVIDER, []),
        (PROVIDER | {"SSCARD_OIDC_CLIENT_SECRET": ""}, ["identity.E002"]),
        (
            PROVIDER | {"SSCARD_OIDC_TOKEN_ENDPOINT": "https://idp.example.gov.cn/t"},
            ["identity.E003"],
        ),
        (
            PROVIDER
            | {
                "SSCARD_ENV": "production",
                "SSCARD_IDP_SIMULATOR": False,
                "SSCARD_OIDC_ISSUER": "http://idp.example.gov.cn",
            },
            ["identity.E004"],
        ),
        (PROVIDER | {"SSCARD_OIDC_TOKEN_AUTH_METHOD": "private_key_jwt"}, ["identity.E005"]),
    ],
    ids=[
        "simulator-in-production",
        "production",
        "provider",
        "no-secret",
        "one-endpoint",
        "plain-http",
        "auth-method",
    ],
)
def test_start_up_checks(overrides, expected):
    with override_settings(**overrides):
        assert _ids() == expected


@pytest.mark.django_db
def test_linked_identities_are_listed_read_only_in_the_admin(client):
    admin_client = otp_login(client, StaffFactory(role=User.Role.ADMIN, is_superuser=True))
    link = ExternalIdentity.objects.create(
        issuer="https://idp.example.gov.cn", subject="abc", user=UserFactory()
    )
    listing = admin_client.get("/admin/identity/externalidentity/")
    assert listing.status_code == 200 and "idp.example.gov.cn" in listing.content.decode()
    page = admin_client.get(f"/admin/identity/externalidentity/{link.pk}/change/")
    assert page.status_code == 200 and 'name="subject"' not in page.content.decode()
    assert admin_client.get("/admin/identity/externalidentity/add/").status_code == 403
