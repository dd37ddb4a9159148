from django.contrib import admin
from django.http import HttpRequest

from sscard.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
