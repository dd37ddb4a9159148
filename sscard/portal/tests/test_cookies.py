"""The cookies a login leaves in the citizen's browser, as each deployment sets them:
in production a ``__Host-`` session cookie that only this host, over HTTPS,
ever gets back; on the plain-HTTP demo a plain one the browser keeps."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import override_settings

from sscard.portal.tests.helpers import login_post
from sscard.testing.deployment import PRODUCTION_ENV, ROOT, deployment_settings
from sscard.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

COOKIE_SETTINGS = (
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_DOMAIN",
)


def test_a_production_login_sets_a_host_prefixed_secure_session_cookie(client):
    production = deployment_settings(PRODUCTION_ENV, *COOKIE_SETTINGS)
    UserFactory(username="zhangsan")
    with override_settings(**production):
        page = client.get("/login/", secure=True)
        answer = login_post(client, "zhangsan", secure=True)

    assert answer.status_code == 200
    session = answer.cookies["__Host-sessionid"]
    assert session.value
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert session["domain"] == ""
    header = session.OutputString()
    assert "Domain=" not in header
    assert all(part in header for part in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"))
    assert "sessionid" not in answer.cookies  # no second, unprefixed session cookie
    csrf = page.cookies[production["CSRF_COOKIE_NAME"]]
    assert csrf["secure"] is True


def _demo_env(tmp_path) -> dict[str, str]:
    """The .env `make demo` writes (scripts/make_env.py)."""
    env_file = tmp_path / "demo.env"
    subprocess.run(  # noqa: S603 — our own interpreter and script
        [sys.executable, str(ROOT / "scripts" / "make_env.py"), str(env_file)],
        check=True,
        capture_output=True,
    )
    return {"SSCARD_ENV_FILE": str(env_file)}


@pytest.mark.parametrize(
    "deployment",
    [
        "demo on http://127.0.0.1:8000",
        "benchmark on loopback http",
    ],
)
def test_plain_http_deployments_keep_a_cookie_their_browser_accepts(deployment, tmp_path):
    """A browser drops a ``__Host-`` cookie that is not Secure, and a Secure one over http."""
    env = (
        _demo_env(tmp_path)
        if deployment.startswith("demo")
        else {**PRODUCTION_ENV, "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false"}
    )
    found = deployment_settings(env, "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE")
    assert found == {"SESSION_COOKIE_NAME": "sessionid", "SESSION_COOKIE_SECURE": False}
