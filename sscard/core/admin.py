"""Admin building blocks shared by the apps: records the services alone may write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ServiceWrittenAdmin(admin.ModelAdmin):
    """Rows created and deleted only by the services (with their checks and audit); the
    admin shows them, and changes what a subclass leaves editable."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyAdmin(ServiceWrittenAdmin):
    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class HistoryInline(admin.TabularInline):
    """A record's history, shown beneath it, never edited."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> tuple[Any, ...]:
        return tuple(self.fields or ())

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
