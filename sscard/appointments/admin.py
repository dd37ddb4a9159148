"""The administrator sets each outlet's opening periods and the bookings a half hour takes;
the bookings themselves are read-only here (the holders and the clerks change them)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from sscard.appointments.models import Appointment, OpeningPeriod


@admin.register(OpeningPeriod)
class OpeningPeriodAdmin(admin.ModelAdmin):
    list_display = ("outlet", "weekday", "opens", "closes", "capacity")
    list_filter = ("weekday", "outlet__district")
    search_fields = ("outlet__name", "outlet__code")
    autocomplete_fields = ("outlet",)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("day", "starts", "outlet", "purpose", "status")
    list_filter = ("status", "purpose", "day")
    fields = ("outlet", "purpose", "day", "starts", "status", "created_at", "marked_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
