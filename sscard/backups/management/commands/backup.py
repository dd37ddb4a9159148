"""``manage.py backup [--output DIR]``: the database and the stored files into one new folder
under DIR with a manifest (``sscard.backups``); never the keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sscard.backups.manifest import BackupError
from sscard.backups.services import data_key_ids, keys_reminder, make_backup


class Command(BaseCommand):
    help = (
        "备份数据库（PostgreSQL：pg_dump 自定义格式；SQLite：在线备份）和媒体目录（存储的文件，"
        "仍是加密的）到 DIR 下的一个新目录，附清单 manifest.json：时间、数据库、每个应用最后的"
        "迁移、各表行数、审计链尾、各部分的 SHA-256。服务运行时也可备份。备份不含密钥。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.BASE_DIR) / "var" / "backups",
            metavar="DIR",
            help="备份目录放在哪里（默认 var/backups）",
        )

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        try:
            folder = make_backup(output=output, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"备份完成：{folder}"))
        self.stdout.write(self.style.WARNING(keys_reminder(data_key_ids())))
