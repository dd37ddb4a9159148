"""A backup folder and its manifest (``manifest.json``): when it was made, from which database,
what that database held (the rows of each table, the last migration of each app, the end of the
audit trail's hash chain, read in the snapshot the dump is taken from) and the SHA-256 of each
part, so that a restore can prove it put back what was backed up.

The same :func:`database_state` reads the live database when backing up and the restored one
after a restore: the two are compared as they are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection

from sscard.audit.chain import GENESIS
from sscard.audit.models import AuditChainHead

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_PART = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
MEDIA_PART = "media.tar"
VENDOR_NAME = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why, in the operator's words."""


@dataclass(frozen=True)
class DatabaseState:
    rows: dict[str, int]  # table -> rows
    migrations: dict[str, str]  # app -> the migration applied last
    audit_seq: int
    audit_hash: str

    def differences(self, other: DatabaseState) -> list[str]:
        """What ``other`` (a restored database) lacks or has otherwise than this state."""
        found = [
            f"表 {table}：备份时 {rows} 行，恢复后 {other.rows.get(table, '无此表')}"
            for table, rows in self.rows.items()
            if other.rows.get(table) != rows
        ]
        found += [
            f"迁移 {app}：备份时 {name}，恢复后 {other.migrations.get(app, '无')}"
            for app, name in self.migrations.items()
            if other.migrations.get(app) != name
        ]
        if (other.audit_seq, other.audit_hash) != (self.audit_seq, self.audit_hash):
            found.append(
                f"审计链尾：备份时 {self.audit_seq}:{self.audit_hash}，"
                f"恢复后 {other.audit_seq}:{other.audit_hash}"
            )
        return found


def model_tables() -> list[str]:
    """The table of every model (many-to-many tables included)."""
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def database_state(cursor: Any, existing: Collection[str]) -> DatabaseState:
    """The state of the database ``cursor`` reads (a Django cursor or a ``sqlite3`` one);
    ``existing`` names its tables (a model whose migration is not applied has none)."""
    quote = connection.ops.quote_name
    rows: dict[str, int] = {}
    for table in model_tables():
        if table in existing:
            # a model's own table name, quoted: nothing here comes from outside
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
            rows[table] = cursor.fetchone()[0]
    migrations: dict[str, str] = {}
    if "django_migrations" in existing:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            migrations[app] = name
    seq, head_hash = 0, GENESIS
    head = AuditChainHead._meta
    if head.db_table in existing:
        cursor.execute(
            f"SELECT seq, hash FROM {quote(head.db_table)} "  # noqa: S608 — the model's table
            f"WHERE {quote(head.pk.column)} = 1"
        )
        found = cursor.fetchone()
        if found is not None:
            seq, head_hash = found
    return DatabaseState(rows, migrations, seq, head_hash)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    path = folder / MANIFEST
    path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    path.chmod(0o600)


def state_to_manifest(state: DatabaseState) -> dict[str, Any]:
    data = asdict(state)
    return {
        "rows": data["rows"],
        "migrations": data["migrations"],
        "audit": {"seq": data["audit_seq"], "hash": data["audit_hash"]},
    }


def read_manifest(folder: Path) -> tuple[dict[str, Any], DatabaseState]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        state = DatabaseState(
            rows={str(k): int(v) for k, v in manifest["rows"].items()},
            migrations={str(k): str(v) for k, v in manifest["migrations"].items()},
            audit_seq=int(manifest["audit"]["seq"]),
            audit_hash=str(manifest["audit"]["hash"]),
        )
        parts = manifest["parts"]
        vendor = manifest["database"]["vendor"]
    except FileNotFoundError as exc:
        raise BackupError(f"{folder} 不是备份：其中没有 {MANIFEST}") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{path} 无法读取（不是本系统的备份清单，或已损坏）") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} 的格式（{manifest.get('format')}）不是本程序能恢复的")
    if vendor not in DATABASE_PART or set(parts) != {DATABASE_PART[vendor], MEDIA_PART}:
        raise BackupError(f"{path} 所列的部分与备份的格式不符")
    return manifest, state


def check_parts(folder: Path, manifest: dict[str, Any], progress: Progress) -> None:
    """Each part is there and its SHA-256 is the manifest's; else nothing is restored."""
    for name, expected in sorted(manifest["parts"].items()):
        path = folder / name
        if not path.is_file():
            raise BackupError(f"备份不完整：缺少 {name}；未恢复任何内容")
        progress(f"核对 {name} 的 SHA-256…")
        if sha256_of(path) != expected["sha256"]:
            raise BackupError(f"备份已损坏或被改动：{name} 的 SHA-256 与清单不符；未恢复任何内容")
