"""``manage.py rotate_keys``: after putting a new key first in ``SSCARD_DATA_KEYS`` (the old
ones still listed), re-encrypt every encrypted database value and every stored file under it,
and encrypt any file stored plain before encryption. Safe to stop and run again; audited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sscard.audit.services import audit_record
from sscard.core.rotation import rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt personal data in the database and stored files under the newest key."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = rotate_keys(progress=lambda line: self.stdout.write(line))
        audit_record(
            actor=None,
            action="keys.rotated",
            detail={
                "key_id": rotated.key_id,
                "rows": rotated.rows,
                "files": rotated.files,
                "plain_files": rotated.plain_files,
                "unreadable_files": len(rotated.unreadable),
            },
        )
        if rotated.unreadable:
            raise CommandError(
                f"{len(rotated.unreadable)}个文件无法解密，未改用新密钥（见上方列表）；"
                "其余已完成，可在处理后再次运行"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：{rotated.rows}行数据、{rotated.files + rotated.plain_files}个文件"
                f"已改用密钥{rotated.key_id}"
            )
        )
