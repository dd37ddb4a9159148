"""Signed-in sessions for the tests, as the logins leave them: a citizen's portal session at
a trust level (:func:`sign_in`), the same session handed to a browser page
(:func:`sign_in_page`), and a staff member signed in with both factors (:func:`staff_client`;
a browser goes through the staff login itself with ``sscard.testing.otp.otp_browser_login``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

from sscard.accounts.models import User
from sscard.accounts.trust import TrustLevel


def sign_in(client: Client, user: User, trust: TrustLevel = TrustLevel.L3) -> Client:
    """The session a password login (L3) or a face-verified login (L4) leaves behind."""
    from sscard.accounts.backends import BACKEND
    from sscard.web.auth import TRUST_KEY

    client.force_login(user, backend=BACKEND)
    session = client.session
    session[TRUST_KEY] = int(trust)
    session.save()
    return client


def sign_in_page(
    page: Any, user: User, live_server: Any, trust: TrustLevel = TrustLevel.L3
) -> None:
    """A browser page carrying the session :func:`sign_in` makes, set as the server sets it:
    a Secure session cookie is a __Host- one (host-only, Path=/)."""
    client = sign_in(Client(), user, trust)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": urlsplit(live_server.url).hostname,
                "path": "/",
                "secure": settings.SESSION_COOKIE_SECURE,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


def staff_client(user: User) -> Client:
    """A test client signed in to the back office with both factors, as its login leaves it."""
    from sscard.testing.otp import otp_login

    return otp_login(Client(), user)
