from django.contrib import admin

from sscard.regions.models import Bank, HolidayOverride, Outlet, RegionSettings


@admin.register(RegionSettings)
class RegionSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "region_name",
        "region_code",
        "guardian_age",
        "temporary_loss_days",
        "reissue_fee",
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
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    date_hierarchy = "date"
