"""Making a backup and restoring one (the commands ``backup`` and ``restore`` call these)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sscard.audit.selectors import verify_trail
from sscard.audit.services import audit_record
from sscard.backups import databases, media
from sscard.backups.manifest import (
    DATABASE_PART,
    FORMAT,
    MEDIA_PART,
    VENDOR_NAME,
    BackupError,
    Progress,
    check_parts,
    database_state,
    read_manifest,
    sha256_of,
    state_to_manifest,
    write_manifest,
)
from sscard.core import crypto, filecrypt
from sscard.core.rotation import encrypted_fields

# What a backup never holds: without these it cannot be read, nor its audit trail verified.
KEYS = ("SSCARD_DATA_KEYS", "SSCARD_INDEX_KEY", "SSCARD_AUDIT_KEY", "SECRET_KEY")
KEYS_REMINDER = (
    "备份不含密钥：{keys} 须另行保管（与备份分开存放）；没有它们，备份中的个人信息和文件无法"
    "解密，审计链无法核验。本备份需要的数据密钥：{key_ids}"
)


def keys_reminder(key_ids: list[str]) -> str:
    return KEYS_REMINDER.format(keys="、".join(KEYS), key_ids="、".join(key_ids))


def data_key_ids() -> list[str]:
    return [entry.partition(":")[0] for entry in settings.SSCARD_DATA_KEYS]


def make_backup(*, output: Path, progress: Progress) -> Path:
    """Back up the database and the media folder into a new folder under ``output``; its
    path. Written as ``<name>.partial`` and renamed when whole: a folder without that
    suffix is a complete backup."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor not in DATABASE_PART:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库")
    output = output.resolve()
    if output.is_relative_to(media.media_root().resolve()):
        raise BackupError("备份不能放在媒体目录中")
    now = timezone.now()
    name = f"sscard-backup-{now:%Y%m%dT%H%M%SZ}"
    output.mkdir(parents=True, exist_ok=True)
    folder = output / name
    partial = output / f"{name}.partial"
    if folder.exists():
        raise BackupError(f"{folder} 已存在")
    partial.mkdir(mode=0o700)
    try:
        database_part = partial / DATABASE_PART[connection.vendor]
        state = databases.dump(connection, database_part, progress)
        files, size = media.dump(partial / MEDIA_PART, progress)
        parts: dict[str, Any] = {}
        for part in (database_part, partial / MEDIA_PART):
            progress(f"计算 {part.name} 的 SHA-256…")
            os.chmod(part, 0o600)
            parts[part.name] = {"sha256": sha256_of(part), "bytes": part.stat().st_size}
        write_manifest(
            partial,
            {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "database": {
                    "vendor": connection.vendor,
                    "version": ".".join(map(str, connection.get_database_version())),
                },
                **state_to_manifest(state),
                "media": {"files": files, "bytes": size},
                "data_key_ids": data_key_ids(),
                "keys_not_included": list(KEYS),
                "parts": parts,
            },
        )
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    audit_record(
        actor=None,
        action="backup.created",
        detail={"name": name, "audit_seq": state.audit_seq, "files": files},
    )
    return folder


@dataclass
class Restored:
    vendor: str
    rows: int
    files: int
    audit_seq: int
    problems: list[str] = field(default_factory=list)
    needs_migrate: bool = False


def restore_backup(*, path: Path, progress: Progress) -> Restored:
    """Restore the backup in ``path`` into the (empty) database and media folder, then check
    that what is there is what was backed up. Nothing is written unless the manifest and
    every part are whole and both targets empty."""
    connection = connections[DEFAULT_DB_ALIAS]
    manifest, expected = read_manifest(path)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"这是 {VENDOR_NAME[vendor]} 数据库的备份，不能恢复到 "
            f"{VENDOR_NAME.get(connection.vendor, connection.vendor)} 数据库"
        )
    check_parts(path, manifest, progress)
    if not databases.is_empty(connection):
        raise BackupError(
            f"数据库 {connection.settings_dict['NAME']} 不是空的：只能恢复到一个新建的空数据库"
            "（其中没有任何表）；未恢复任何内容"
        )
    if not media.is_empty():
        raise BackupError(
            f"媒体目录 {media.media_root()} 不是空的：只能恢复到空的媒体目录；未恢复任何内容"
        )

    databases.restore(connection, path / DATABASE_PART[vendor], progress)
    files = media.restore(path / MEDIA_PART, progress)

    progress("核验恢复结果…")
    with connection.cursor() as cursor:
        found = database_state(cursor, connection.introspection.table_names(cursor))
    restored = Restored(
        vendor=vendor,
        rows=sum(found.rows.values()),
        files=files,
        audit_seq=found.audit_seq,
        problems=expected.differences(found),
    )
    if files != manifest["media"]["files"]:
        restored.problems.append(f"文件：备份时 {manifest['media']['files']} 个，恢复后 {files} 个")
    verdict = verify_trail()
    if verdict.broken:
        restored.problems.append(
            f"审计链在序号 {verdict.broken.seq} 处断开：{verdict.broken.reason}"
        )
    restored.problems += unreadable_with_these_keys()
    executor = MigrationExecutor(connection)
    restored.needs_migrate = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    return restored


def unreadable_with_these_keys() -> list[str]:
    """The first value of each encrypted column and the first file under each key id, tried
    with the configured keys: a restore with another deployment's keys is told at once."""
    problems = []
    for model, fields in encrypted_fields():
        for column in fields:
            values = model._base_manager.filter(**{f"{column.attname}__isnull": False})
            try:
                values.order_by("pk").values_list(column.attname, flat=True).first()
            except crypto.DecryptionError:
                problems.append(
                    f"{model._meta.label_lower}.{column.name} 无法用当前的 SSCARD_DATA_KEYS 解密"
                )
    storage, tried = media.media_storage(), set()
    for name in storage.names():
        try:
            key_id = storage.key_id(name)
            if key_id is None or key_id in tried:
                continue
            tried.add(key_id)
            storage.open(name).close()
        except filecrypt.FileDecryptionError:
            problems.append(f"文件 {name} 无法用当前的 SSCARD_DATA_KEYS 解密")
    return problems
