"""django-axes' answer to too many failed logins for an account from an address: the login
page of the side the address belongs to, saying so (the staff login for /staff/ and /admin/,
the public login otherwise)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse

from sscard.identity.services import face_login_url
from sscard.web.auth import safe_next_of
from sscard.web.forms import LoginForm, StaffLoginForm


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> Any:
    """django-axes: too many failures for this account from this address. Staff are locked
    out the same way at their own login page."""
    if request.path.startswith(("/staff/", "/admin/")):
        return render(
            request,
            "backoffice/login.html",
            {"form": StaffLoginForm(request), "locked": True, "next": ""},
            status=429,
        )
    next_url = safe_next_of(request, reverse("portal:home"))
    form = LoginForm(request, None)
    return render(
        request,
        "portal/login.html",
        {
            "form": form,
            "next": next_url,
            "locked": True,
            "face_url": face_login_url(next_path=next_url),
        },
        status=429,
    )
