from django.contrib import admin

from sscard.audit.models import AuditRecord
from sscard.core.admin import ReadOnlyAdmin


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "actor_label",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "result",
        "address",
        "channel",
    )
    list_filter = ("action", "result", "channel", "actor_role")
    search_fields = ("target_id", "request_id", "action")
    date_hierarchy = "at"
