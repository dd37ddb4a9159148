"""The Django admin behind the same two factors as the back office: it opens only to a
session signed in with password and TOTP code, and its login page is the staff login. Every
admin it registers writes the audit trail (:mod:`sscard.backoffice.admin_audit`), and so does
the administrator's own password change."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from sscard.accounts.models import User
from sscard.audit.services import audit_record
from sscard.backoffice.access import LOGIN_URL, is_verified
from sscard.backoffice.admin_audit import audited


class StaffAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_verified(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), LOGIN_URL)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Every admin, ours and the third-party apps', with the audit trail in front."""
        super().register(model_or_iterable, audited(admin_class or ModelAdmin), **options)

    def password_change(self, request: HttpRequest, extra_context: Any = None) -> TemplateResponse:
        response = super().password_change(request, extra_context)
        user = request.user
        if request.method == "POST" and response.status_code == 302 and isinstance(user, User):
            audit_record(actor=user, action="admin.password_changed", target=user)
        return response
