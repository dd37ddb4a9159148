from __future__ import annotations

from django.contrib import admin

from sscard.core.admin import ReadOnlyAdmin
from sscard.notifications.models import Message, MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Administrators word each event's message; the events themselves are fixed."""

    list_display = ("event", "title", "active", "wechat_template_id", "updated_at")
    list_filter = ("active",)
    readonly_fields = ("event", "updated_at")
    fields = ("event", "title", "body", "wechat_template_id", "active", "updated_at")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "title", "address_masked", "status", "attempts")
    list_filter = ("status", "channel", "notification__event")
    fields = (
        "channel",
        "address_masked",
        "user",
        "title",
        "body",
        "link",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "provider_ref",
        "sent_at",
        "read_at",
        "created_at",
    )
    readonly_fields = fields
