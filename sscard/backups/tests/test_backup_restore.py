"""``manage.py backup`` and ``manage.py restore``: a backup restored into a fresh database (of
the run's kind: SQLite, or a new PostgreSQL database) and an empty media folder, by another
process with the same keys, holds every row, an intact audit trail, personal data that still
decrypts and stored files that still decrypt to what was uploaded; restore refuses a database
that is not empty and a backup that was changed, and names what other keys cannot decrypt."""

from __future__ import annotations

import base64
import io
import json
import secrets
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from sscard.accounts.models import Person
from sscard.audit.models import AuditChainHead
from sscard.audit.services import audit_record
from sscard.backups.manifest import DATABASE_PART, MANIFEST
from sscard.backups.services import unreadable_with_these_keys
from sscard.testing.deployment import PRODUCTION_ENV, ROOT, deployment_env, manage
from sscard.testing.factories import MaterialFactory, PersonFactory

# pg_dump and the SQLite backup see committed rows only
pytestmark = pytest.mark.django_db(transaction=True)

PROBE = """
import json, sys
import django
django.setup()
from django.apps import apps
from sscard.accounts.models import Person
from sscard.applications.models import Material
person = Person.objects.get(pk=int(sys.argv[1]))
material = Material.objects.get(pk=int(sys.argv[2]))
with material.file.open() as handle:
    content = handle.read()
print(json.dumps({
    "rows": {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.managed},
    "doc_number": person.doc_number,
    "phone": person.phone,
    "file": content.hex(),
}))
"""


@dataclass
class Target:
    """A fresh database and media folder, and the environment that points manage.py at them
    with this run's keys."""

    url: str
    media: Path

    @property
    def env(self) -> dict[str, str]:
        from django.conf import settings

        return {
            **PRODUCTION_ENV,
            "SSCARD_DATA_KEYS": ",".join(settings.SSCARD_DATA_KEYS),
            "SSCARD_INDEX_KEY": settings.SSCARD_INDEX_KEY,
            "SSCARD_AUDIT_KEY": settings.SSCARD_AUDIT_KEY,
            "DATABASE_URL": self.url,
            "MEDIA_ROOT": str(self.media),
        }

    def tables(self) -> list[str]:
        if self.url.startswith("sqlite"):
            path = Path(self.url.removeprefix("sqlite:///"))
            if not path.exists():
                return []
            with sqlite3.connect(path) as db:
                return [row[0] for row in db.execute("SELECT name FROM sqlite_master")]
        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as db:
            rows = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return [row[0] for row in rows]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def target(tmp_path):
    media = tmp_path / "restored-media"
    if connection.vendor == "sqlite":
        yield Target(f"sqlite:///{tmp_path / 'restored.sqlite3'}", media)
        return
    source = connection.settings_dict
    name = f"{source['NAME']}_restore_{secrets.token_hex(4)}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(source["USER"] or "") + (
        ":" + quote(source["PASSWORD"]) if source["PASSWORD"] else ""
    )
    host = f"{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}"
    try:
        yield Target(f"postgres://{credentials}@{host}/{name}", media)
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _backup(tmp_path) -> tuple[Path, str]:
    out = io.StringIO()
    call_command("backup", output=tmp_path / "backups", stdout=out)
    (folder,) = (tmp_path / "backups").iterdir()
    return folder, out.getvalue()


def _probe(target: Target, *args: object) -> dict:
    result = subprocess.run(  # noqa: S603 — our own interpreter and probe
        [sys.executable, "-c", PROBE, *map(str, args)],
        cwd=ROOT,
        env=deployment_env(target.env),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_backup_restores_into_a_fresh_database_with_its_rows_audit_trail_and_files(
    tmp_path, target
):
    person = PersonFactory(phone="13912345678")
    material = MaterialFactory(application__applicant__person=person)
    with material.file.open() as handle:
        uploaded = handle.read()
    audit_record(actor=None, action="test.before_backup", target=person)
    # every table (a model without one, as django-rq's, holds permissions only)
    rows = {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.managed}
    head = AuditChainHead.objects.get(pk=1)

    folder, out = _backup(tmp_path)

    assert "备份完成" in out
    assert "备份不含密钥" in out and "SSCARD_DATA_KEYS" in out and "SSCARD_AUDIT_KEY" in out
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["audit"] == {"seq": head.seq, "hash": head.hash}
    assert manifest["rows"]["accounts_person"] == Person.objects.count()
    applied = MigrationRecorder.Migration.objects.order_by("id").values_list("app", "name")
    assert manifest["migrations"] == dict(applied)
    assert manifest["media"]["files"] == len(list(default_storage.names())) >= 1

    restored = manage(target.env, "restore", str(folder))

    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "核验通过" in restored.stdout
    verified = manage(target.env, "audit_verify")
    assert verified.returncode == 0, verified.stderr
    assert f"链尾 {head.seq}:{head.hash}" in verified.stdout
    found = _probe(target, person.pk, material.pk)
    assert found["rows"] == rows
    assert (found["doc_number"], found["phone"]) == (person.doc_number, "13912345678")
    assert bytes.fromhex(found["file"]) == uploaded


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    MaterialFactory()
    folder, _ = _backup(tmp_path)
    people = Person.objects.count()

    with pytest.raises(CommandError, match="不是空的：只能恢复到一个新建的空数据库"):
        call_command("restore", str(folder), stdout=io.StringIO())

    assert Person.objects.count() == people


def test_restore_refuses_a_changed_backup_and_writes_nothing(tmp_path, target):
    MaterialFactory()
    folder, _ = _backup(tmp_path)
    part = folder / DATABASE_PART[connection.vendor]
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x01
    part.write_bytes(bytes(data))

    restored = manage(target.env, "restore", str(folder))

    assert restored.returncode == 1
    assert f"{part.name} 的 SHA-256 与清单不符；未恢复任何内容" in restored.stderr
    assert target.tables() == []
    assert not target.media.exists() or not any(target.media.iterdir())


@pytest.mark.django_db
def test_a_restore_with_other_keys_is_told_which_data_and_files_they_cannot_decrypt(settings):
    PersonFactory()
    default_storage.save("materials/photo/a.jpg", ContentFile(b"\xff\xd8photo"))
    assert unreadable_with_these_keys() == []

    # another deployment's keys under the same ids
    settings.SSCARD_DATA_KEYS = [
        entry.partition(":")[0] + ":" + base64.b64encode(secrets.token_bytes(32)).decode()
        for entry in settings.SSCARD_DATA_KEYS
    ]
    problems = unreadable_with_these_keys()

    assert "accounts.person.doc_number 无法用当前的 SSCARD_DATA_KEYS 解密" in problems
    assert "文件 materials/photo/a.jpg 无法用当前的 SSCARD_DATA_KEYS 解密" in problems
