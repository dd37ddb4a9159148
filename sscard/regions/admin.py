from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse

from sscard.regions.models import Bank, HolidayOverride, Outlet, RegionSettings
from sscard.regions.warnings import calendar_warning


class CalendarWarningMixin(admin.ModelAdmin):
    """Lists whose dates depend on the calendar say when a year's holidays are missing."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if warning := calendar_warning():
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


@admin.register(RegionSettings)
class RegionSettingsAdmin(admin.ModelAdmin):
    readonly_fields = ("region_code",)  # the deployment's code comes from SSCARD_REGION_CODE

    list_display = (
        "region_name",
        "region_code",
        "guardian_age",
        "temporary_loss_days",
        "formal_loss_at_counter",
        "reissue_fee_fen",
        "deadline_warning_days",
    )


@admin.register(Bank)
class BankAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    list_filter = ("active",)


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "district", "bank", "active")
    list_filter = ("district", "active", "bank")
    search_fields = ("name", "code")


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    date_hierarchy = "date"
