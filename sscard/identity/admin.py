from __future__ import annotations

from django.contrib import admin

from sscard.core.admin import ReadOnlyAdmin
from sscard.identity.models import ExternalIdentity


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(ReadOnlyAdmin):
    list_display = ("user", "issuer", "created_at", "last_login_at")
    list_filter = ("issuer",)
    fields = ("user", "issuer", "subject", "created_at", "last_login_at")
    readonly_fields = fields
    list_select_related = ("user",)
