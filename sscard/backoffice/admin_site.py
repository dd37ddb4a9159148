"""The Django admin behind the same two factors as the back office: it opens only to a
session signed in with password and TOTP code, and its login page is the staff login."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from sscard.backoffice.access import LOGIN_URL, is_verified


class StaffAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_verified(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), LOGIN_URL)
