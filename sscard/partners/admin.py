from django.contrib import admin

from sscard.core.admin import ReadOnlyAdmin
from sscard.partners.models import Partner


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin):
    """Credentials are issued and rotated by ``manage.py partner_credentials``, which shows
    the secret once; the admin never shows it."""

    list_display = ("name", "kind", "bank", "key_id", "active", "created_at", "secret_rotated_at")
    list_filter = ("kind", "bank", "active")
    fields = ("name", "kind", "bank", "key_id", "active", "created_at", "secret_rotated_at")
    readonly_fields = fields
