from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from sscard.applications.materials import PreparedUpload
from sscard.audit.models import AuditRecord
from sscard.portal.models import Draft
from sscard.portal.services import draft_save, drafts_purge_stale
from sscard.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _draft(user):
    return draft_save(
        user=user,
        item="apply",
        draft_id=None,
        subject=user.person,
        card=None,
        data={"phone": "13912345678"},
        uploads={
            "photo": PreparedUpload(
                kind="photo", file=ContentFile(b"\xff\xd8data"), content_type="image/jpeg"
            )
        },
    )


def test_a_draft_untouched_for_a_week_is_removed_with_its_files(django_capture_on_commit_callbacks):
    user = UserFactory()
    old, fresh = _draft(user), _draft(user)
    Draft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=8))
    stored = old.files["photo"]["name"]
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_purge_stale() == 1
    assert drafts_purge_stale() == 0

    assert list(Draft.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not default_storage.exists(stored)
    assert default_storage.exists(fresh.files["photo"]["name"])
    record = AuditRecord.objects.get(action="retention.draft_removed")
    assert record.target_id == str(old.pk) and record.actor_role == "system"
    assert record.detail == {"item": "apply", "files": 1, "keep_days": 7}


def test_the_region_sets_how_long_a_draft_is_kept(region, django_capture_on_commit_callbacks):
    user = UserFactory()
    draft = _draft(user)
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=20))
    region.draft_keep_days = 30
    region.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_purge_stale() == 0
    region.draft_keep_days = 14
    region.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_purge_stale() == 1
    assert not default_storage.exists(draft.files["photo"]["name"])


def test_a_draft_keeps_the_applicants_entries_encrypted():
    from django.db import connection

    draft = _draft(UserFactory())
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM portal_draft WHERE id = %s", [draft.pk.hex])
        row = cursor.fetchone()
    assert row is not None and "13912345678" not in row[0]
