"""The photos and scans of a refused or withdrawn application are deleted once the region's
keeping period after the decision has passed; the reviewer's page then says so, the file is
no longer served, and each removal is in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from sscard.applications.models import Application, ApplicationEvent, Material
from sscard.applications.retention import materials_remove_expired
from sscard.audit.models import AuditRecord
from sscard.testing.factories import ApplicationFactory, MaterialFactory
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db


def _decided(application: Application, *, days_ago: int) -> Application:
    """The application's refusal or withdrawal, ``days_ago`` days before now."""
    at = timezone.now() - timedelta(days=days_ago)
    ApplicationEvent.objects.filter(application=application).delete()
    ApplicationEvent.objects.create(
        application=application, action="decide", to_status=application.status
    )
    ApplicationEvent.objects.filter(application=application).update(at=at)
    Application.objects.filter(pk=application.pk).update(updated_at=at)
    return application


def _with_scan(application: Application) -> tuple[Material, Material]:
    photo = application.materials.get(kind="photo")
    scan = MaterialFactory(application=application, document=True)
    return photo, scan


def _purge(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return materials_remove_expired()


@pytest.mark.parametrize("status", ["rejected", "withdrawn"])
def test_materials_go_once_the_keeping_period_after_the_decision_has_passed(
    status, region, django_capture_on_commit_callbacks
):
    region.closed_materials_keep_months = 24
    region.save()
    past = _decided(ApplicationFactory(**{status: True}), days_ago=24 * 31 + 2)
    recent = _decided(ApplicationFactory(**{status: True}), days_ago=23 * 31)
    old_photo, old_scan = _with_scan(past)
    new_photo, new_scan = _with_scan(recent)
    names = [old_photo.file.name, old_scan.file.name]

    assert _purge(django_capture_on_commit_callbacks) == 2
    assert _purge(django_capture_on_commit_callbacks) == 0

    for material in (old_photo, old_scan):
        material.refresh_from_db()
        assert material.removed_at is not None and not material.file
    assert not any(default_storage.exists(name) for name in names)
    for material in (new_photo, new_scan):
        material.refresh_from_db()
        assert material.removed_at is None and default_storage.exists(material.file.name)
    record = AuditRecord.objects.get(action="retention.materials_removed")
    assert record.target_id == str(past.pk) and record.actor_role == "system"
    assert record.detail == {
        "status": status,
        "kinds": ["id_scan", "photo"],
        "materials": 2,
        "keep_months": 24,
    }


def test_the_region_sets_the_keeping_period(region, django_capture_on_commit_callbacks):
    application = _decided(ApplicationFactory(rejected=True), days_ago=100)
    assert _purge(django_capture_on_commit_callbacks) == 0

    region.closed_materials_keep_months = 3
    region.save()

    assert _purge(django_capture_on_commit_callbacks) == 1
    assert application.materials.get().removed_at is not None


def test_materials_of_open_and_approved_applications_stay(django_capture_on_commit_callbacks):
    for trait in ("accepted", "approved", "completed"):
        _decided(ApplicationFactory(**{trait: True}), days_ago=2000)

    assert _purge(django_capture_on_commit_callbacks) == 0
    assert not Material.objects.filter(removed_at__isnull=False).exists()


def test_a_photo_another_application_still_uses_stays_on_disk(django_capture_on_commit_callbacks):
    """A 换卡 carries on the photo of the card's 申领 (the same file)."""
    kept = ApplicationFactory(completed=True).materials.get()
    refused = _decided(ApplicationFactory(rejected=True, photo=False), days_ago=2000)
    MaterialFactory(application=refused, file=kept.file.name, size=kept.size)

    assert _purge(django_capture_on_commit_callbacks) == 1
    assert default_storage.exists(kept.file.name)


def test_the_reviewers_page_says_the_material_was_removed_and_the_file_is_gone(
    reviewer, django_capture_on_commit_callbacks
):
    application = _decided(ApplicationFactory(rejected=True), days_ago=2000)
    photo = application.materials.get()
    _purge(django_capture_on_commit_callbacks)
    client = staff_client(reviewer)

    html = client.get(reverse("backoffice:application", args=[application.pk])).content.decode()
    today = timezone.localdate()
    assert f"证件照已超过保存期限，于{today.year}年{today.month}月{today.day}日删除" in html
    assert reverse("files:material", args=[photo.pk]) not in html
    assert client.get(reverse("files:material", args=[photo.pk])).status_code == 404


def test_the_periodic_run_does_it(settings, django_capture_on_commit_callbacks):
    from sscard.applications.tasks import remove_expired_materials_task

    _decided(ApplicationFactory(withdrawn=True), days_ago=2000)

    assert "sscard.applications.tasks.remove_expired_materials_task" in (
        settings.SSCARD_PERIODIC_TASKS
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert remove_expired_materials_task.call() == 1
