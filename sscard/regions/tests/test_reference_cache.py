"""What every request reads and an administrator rarely changes — the settings row, the
holiday table, banks and outlets, staff permission sets — comes from the cache between
requests, and a save anywhere is read at once by every process sharing the cache (the
per-process default cache keeps it SSCARD_REFERENCE_CACHE_SECONDS only).

The tests commit (a transactional database): a change made inside a transaction that has not
committed is never taken from or put in the cache."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sscard.accounts import backends
from sscard.accounts.backends import AccountBackend
from sscard.accounts.models import User
from sscard.backoffice.roles import staff_groups_ensure
from sscard.core import cached
from sscard.regions.models import Bank, HolidayOverride, RegionSettings
from sscard.regions.selectors import (
    SETTINGS,
    active_banks,
    active_outlets,
    districts,
    region_settings,
    work_calendar,
)
from sscard.testing.factories import OutletFactory, StaffFactory
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def staff_groups():
    """The role groups of the data migration (a transactional test's flush removes them)."""
    return staff_groups_ensure()


DAY = date(2030, 11, 20)  # a Wednesday of a year the official calendar does not know yet


@contextmanager
def queries() -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as ctx:
        yield ctx


def permissions(user: User) -> set[str]:
    """What a request finds: a user object loaded afresh, asked for its permissions."""
    return AccountBackend().get_all_permissions(User.objects.get(pk=user.pk))


def test_a_second_read_costs_no_query(bank, outlet, reviewer):
    region_settings()
    reads = (
        region_settings,
        lambda: work_calendar(start=DAY).is_workday(DAY),
        active_banks,
        active_outlets,
        districts,
        lambda: permissions(reviewer),
    )
    for read in reads:
        read()
    with queries() as ctx:
        answers = [read() for read in reads]
    # the permission sets: only loading the user object itself costs a query
    assert len(ctx.captured_queries) == 1
    assert answers[2] == [bank] and answers[3] == [outlet] and answers[4] == [outlet.district]
    assert "applications.review_application" in answers[5]


def test_a_save_a_delete_or_an_update_through_the_service_is_read_at_once(bank, outlet):
    row = region_settings()
    row.temporary_loss_days += 3
    row.save()
    assert region_settings().temporary_loss_days == row.temporary_loss_days

    assert work_calendar(start=DAY).is_workday(DAY) is True
    holiday = HolidayOverride.objects.create(date=DAY, is_workday=False)
    assert work_calendar(start=DAY).is_workday(DAY) is False
    HolidayOverride.objects.filter(pk=holiday.pk).delete()  # e.g. the admin's bulk delete
    assert work_calendar(start=DAY).is_workday(DAY) is True

    assert active_banks() == [bank]
    second = OutletFactory(code="RC02", bank=bank, district="揭东区")
    assert set(active_outlets()) == {outlet, second} and "揭东区" in districts()
    Bank.objects.update_or_create(code=bank.code, defaults={"active": False})
    assert active_banks() == [] and active_outlets() == []


def test_a_caller_changing_its_copy_changes_nothing_the_next_read_sees():
    region_settings()
    row = region_settings()
    row.guardian_age += 1  # never saved
    assert region_settings().guardian_age == row.guardian_age - 1


def test_a_change_is_cached_only_once_committed():
    region_settings()
    before = cached.version(SETTINGS)
    with transaction.atomic():
        row = region_settings()
        row.guardian_age = 14
        row.save()
        # a process reading between the save and the commit still reads the old row
        assert cached.version(SETTINGS) == before + 1
        with queries() as ctx:
            assert region_settings().guardian_age == 14  # its own change, from the database
        assert len(ctx.captured_queries) == 1
    assert cached.version(SETTINGS) == before + 2
    assert region_settings().guardian_age == 14
    with queries() as ctx:
        region_settings()
    assert len(ctx.captured_queries) == 0


def test_a_rolled_back_change_is_never_cached():
    default = region_settings().guardian_age
    with transaction.atomic():
        row = region_settings()
        row.guardian_age = 14
        row.save()
        assert region_settings().guardian_age == 14
        transaction.set_rollback(True)
    assert region_settings().guardian_age == default


def test_a_permission_granted_or_a_role_changed_is_read_at_once(reviewer):
    assert "notifications.resend_message" not in permissions(reviewer)
    Group.objects.get(user=reviewer).permissions.add(
        Permission.objects.get(codename="resend_message")
    )
    assert "notifications.resend_message" in permissions(reviewer)

    reviewer.role = User.Role.PRODUCER
    reviewer.save()  # moves the account to the producers' group
    assert "applications.review_application" not in permissions(reviewer)
    reviewer.is_active = False
    reviewer.save()
    assert permissions(reviewer) == set()


def test_a_staff_page_reads_the_permission_sets_once(client, reviewer, monkeypatch):
    """The view's own check and every link of the menu ask one set, read from the cache once
    a request (not the user's set and the groups' set apart)."""
    otp_login(client, reviewer)
    client.get(reverse("backoffice:queue"))
    reads: list[str] = []
    remember = backends.remember

    def counted(family: str, key: str, compute: Callable[[], set[str]]) -> set[str]:
        reads.append(key)
        return remember(family, key, compute)

    monkeypatch.setattr(backends, "remember", counted)
    with queries() as ctx:
        response = client.get(reverse("backoffice:queue"))
    assert response.status_code == 200
    assert 'accesskey="1">审核队列</a>' in response.content.decode()
    assert reads == [f"{reviewer.pk}:all:0"]
    assert not [q for q in ctx.captured_queries if "auth_permission" in q["sql"]]


def test_a_change_in_the_admin_is_read_at_once(client, bank):
    assert active_banks() == [bank]
    otp_login(client, StaffFactory(username="root", role="admin", is_superuser=True))
    response = client.post(
        f"/admin/regions/bank/{bank.pk}/change/",
        {"code": bank.code, "name": "工商银行揭阳分行", "hotline": "95588"},
    )
    assert response.status_code == 302
    assert active_banks() == []  # 合作中 unticked


# Two processes: each one's own cache object; the database is the same.


def _cache(backend: str, location: str) -> dict[str, dict[str, str]]:
    return {"default": {"BACKEND": f"django.core.cache.backends.{backend}", "LOCATION": location}}


@contextmanager
def process(caches: dict[str, dict[str, str]], seconds: int) -> Iterator[None]:
    with override_settings(CACHES=caches, SSCARD_REFERENCE_CACHE_SECONDS=seconds):
        yield


def test_with_a_shared_cache_another_processs_save_is_read_at_once(tmp_path):
    shared = _cache("filebased.FileBasedCache", str(tmp_path))  # stands in for Redis
    with process(shared, 300):
        region_settings()  # creates the row (a save: the next call reads it again)
        assert region_settings().guardian_age == RegionSettings().guardian_age
        with queries() as ctx:
            region_settings()
        assert len(ctx.captured_queries) == 0
    with process(shared, 300):
        row = region_settings()
        row.guardian_age = 14
        row.save()
    with process(shared, 300):
        assert region_settings().guardian_age == 14


def test_with_the_per_process_cache_another_processs_save_is_read_after_the_ttl():
    first, second = _cache("locmem.LocMemCache", "first"), _cache("locmem.LocMemCache", "second")
    with process(first, 1):
        region_settings()
        assert region_settings().guardian_age == RegionSettings().guardian_age
    with process(second, 1):
        row = region_settings()
        row.guardian_age = 14
        row.save()
    with process(first, 1):
        assert region_settings().guardian_age == RegionSettings().guardian_age  # not heard
        time.sleep(1.1)
        assert region_settings().guardian_age == 14


def test_the_per_process_cache_keeps_values_seconds():
    from django.conf import settings

    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert settings.SSCARD_REFERENCE_CACHE_SECONDS <= 10
