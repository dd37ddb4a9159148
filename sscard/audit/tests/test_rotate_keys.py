"""``manage.py rotate_keys``: after a new key is put first, every encrypted value and every
stored file moves onto it, plain files are encrypted, and the old key can then go."""

import base64
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from sscard.accounts.models import Person
from sscard.audit.models import AuditRecord
from sscard.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

NEW_KEY = "t3:" + base64.b64encode(b"n" * 32).decode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _raw_person(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc_number, phone, address FROM accounts_person WHERE id = %s", [pk])
        return cursor.fetchone()


def _rotate() -> str:
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    return out.getvalue()


def test_rotation_moves_every_value_and_file_onto_the_new_key_and_the_old_key_can_go(
    settings, media
):
    person = PersonFactory(phone="13912345678")
    scan = default_storage.save("materials/household/a.jpg", ContentFile(b"\xff\xd8scan"))
    (media / "materials" / "photo").mkdir(parents=True)
    (media / "materials" / "photo" / "legacy.jpg").write_bytes(b"\xff\xd8legacy")
    assert {value.split("$")[0] for value in _raw_person(person.pk)} == {"t2"}

    settings.SSCARD_DATA_KEYS = [NEW_KEY, *settings.SSCARD_DATA_KEYS]
    out = _rotate()

    assert {value.split("$")[0] for value in _raw_person(person.pk)} == {"t3"}
    assert default_storage.key_id(scan) == "t3"
    assert default_storage.key_id("materials/photo/legacy.jpg") == "t3"
    assert "accounts.person：1行已改用密钥t3" in out
    record = AuditRecord.objects.get(action="keys.rotated")
    assert record.detail["key_id"] == "t3"
    assert record.detail["rows"] >= 1 and record.detail["files"] == 1
    assert record.detail["plain_files"] == 1

    settings.SSCARD_DATA_KEYS = [NEW_KEY]
    person = Person.objects.get(pk=person.pk)
    assert person.phone == "13912345678"
    assert default_storage.open(scan).read() == b"\xff\xd8scan"
    assert default_storage.open("materials/photo/legacy.jpg").read() == b"\xff\xd8legacy"


def test_a_second_run_changes_nothing(settings):
    PersonFactory()
    default_storage.save("materials/photo/a.jpg", ContentFile(b"photo"))
    settings.SSCARD_DATA_KEYS = [NEW_KEY, *settings.SSCARD_DATA_KEYS]
    _rotate()

    _rotate()

    second = AuditRecord.objects.filter(action="keys.rotated").order_by("-pk").first()
    assert second is not None
    detail = second.detail
    assert (detail["rows"], detail["files"], detail["plain_files"]) == (0, 0, 0)


def test_a_value_changed_while_rotating_is_not_overwritten(settings, monkeypatch):
    from sscard.core import rotation

    person = PersonFactory(phone="13912345678")
    settings.SSCARD_DATA_KEYS = [NEW_KEY, *settings.SSCARD_DATA_KEYS]
    real_update = rotation.models.QuerySet.update
    changed = []

    def change_first(self, **kwargs):
        # another request saves the person between the read and the write
        if self.model is Person and not changed:
            changed.append(True)
            Person.objects.filter(pk=person.pk).update(phone="13800000000")
        return real_update(self, **kwargs)

    monkeypatch.setattr(rotation.models.QuerySet, "update", change_first)
    _rotate()
    monkeypatch.undo()

    assert Person.objects.get(pk=person.pk).phone == "13800000000"


def test_a_file_no_listed_key_opens_is_named_and_the_rest_is_done(settings, media):
    from django.core.management.base import CommandError

    lost = default_storage.save("materials/photo/lost.jpg", ContentFile(b"photo"))
    settings.SSCARD_DATA_KEYS = ["t8:" + base64.b64encode(b"o" * 32).decode()]
    fine = default_storage.save("materials/photo/fine.jpg", ContentFile(b"photo"))
    settings.SSCARD_DATA_KEYS = [NEW_KEY, settings.SSCARD_DATA_KEYS[0]]
    out = io.StringIO()

    with pytest.raises(CommandError, match="1个文件无法解密"):
        call_command("rotate_keys", stdout=out)

    assert lost in out.getvalue()
    assert default_storage.key_id(fine) == "t3"
    record = AuditRecord.objects.get(action="keys.rotated")
    assert record.detail["unreadable_files"] == 1 and record.detail["files"] == 1
