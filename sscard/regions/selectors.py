from __future__ import annotations

from datetime import date

from django.conf import settings

from sscard.core.cached import remember
from sscard.core.memo import per_request
from sscard.core.workdays import WorkCalendar
from sscard.regions.models import Bank, HolidayOverride, Outlet, RegionSettings

# cache families (sscard.core.cached): a save of one of their rows bumps them (regions.apps)
SETTINGS = "regions.settings"
HOLIDAYS = "regions.holidays"
NETWORK = "regions.network"  # banks, outlets and the districts they are in


@per_request
def region_settings() -> RegionSettings:
    """The deployment's settings row, created with the defaults the first time it is asked
    (read once per request, and from the cache while nobody saves it)."""
    return remember(SETTINGS, settings.SSCARD_REGION_CODE, _settings_row)


def _settings_row() -> RegionSettings:
    row, _ = RegionSettings.objects.get_or_create(region_code=settings.SSCARD_REGION_CODE)
    return row


def work_calendar(*, start: date | None = None, end: date | None = None) -> WorkCalendar:
    """The official calendar plus the administrator's holiday table (only the rows for the
    span asked about, when one is given; read once per request, and from the cache while
    nobody changes the table)."""
    return WorkCalendar(
        overrides=_overrides(
            None if start is None else start.year, None if end is None else end.year + 1
        )
    )


@per_request
def _overrides(first_year: int | None, last_year: int | None) -> dict[date, bool]:
    def read() -> dict[date, bool]:
        rows = HolidayOverride.objects.all()
        if first_year is not None:
            rows = rows.filter(date__year__gte=first_year)
        if last_year is not None:
            rows = rows.filter(date__year__lte=last_year)
        return dict(rows.values_list("date", "is_workday"))

    return remember(HOLIDAYS, f"{first_year}-{last_year}", read)


def active_banks() -> list[Bank]:
    """The cooperating banks, by code."""
    return remember(NETWORK, "banks", lambda: list(Bank.objects.filter(active=True)))


def active_outlets() -> list[Outlet]:
    """The open outlets of cooperating banks (with their bank), grouped by bank and district."""
    return remember(
        NETWORK,
        "outlets",
        lambda: list(
            Outlet.objects.filter(active=True, bank__active=True)
            .select_related("bank")
            .order_by("bank__code", "district", "code")
        ),
    )


def open_outlets() -> list[Outlet]:
    """Every open outlet, by district and code (whatever its bank)."""
    return remember(NETWORK, "open-outlets", lambda: list(Outlet.objects.filter(active=True)))


def bank_names() -> dict[str, str]:
    """Every bank's name by code, closed ones included (old applications name them)."""
    return remember(NETWORK, "bank-names", lambda: dict(Bank.objects.values_list("code", "name")))


def outlet_names() -> dict[str, str]:
    """Every outlet's name by code, closed ones included."""
    return remember(
        NETWORK, "outlet-names", lambda: dict(Outlet.objects.values_list("code", "name"))
    )


def districts() -> list[str]:
    """The districts outlets are in, sorted."""
    return remember(
        NETWORK,
        "districts",
        lambda: list(
            Outlet.objects.order_by("district").values_list("district", flat=True).distinct()
        ),
    )
