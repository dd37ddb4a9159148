"""Which accounts are staff, and whether a session has the staff's second factor: plain facts
about an account that the back office, the /files/ view and the portal's session clocks all
read (so that no interface imports another for them)."""

from __future__ import annotations

from typing import Any

from sscard.accounts.models import User

STAFF_ROLES = frozenset({User.Role.REVIEWER, User.Role.PRODUCER, User.Role.CLERK, User.Role.ADMIN})
# a staff password's least length (等保 8.1.4.1 a); citizens and employers keep the usual 8
STAFF_MIN_LENGTH = 12


def is_staff_member(user: Any) -> bool:
    return bool(
        user.is_authenticated and user.is_active and getattr(user, "role", None) in STAFF_ROLES
    )


def is_verified(user: Any) -> bool:
    """Signed in with the TOTP second factor in this session (django-otp's middleware)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
