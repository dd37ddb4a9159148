"""``manage.py restore PATH``: a backup of ``manage.py backup`` into an empty database and an
empty media folder, then checked against its manifest (``sscard.backups``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sscard.backups.manifest import BackupError
from sscard.backups.services import restore_backup


class Command(BaseCommand):
    help = (
        "把 backup 生成的备份目录恢复到空的数据库（DATABASE_URL）和空的媒体目录（MEDIA_ROOT），"
        "然后核验：各部分的 SHA-256、各表行数、迁移状态与清单一致，审计链完整，加密的字段和文件"
        "能用当前密钥解密。非空的数据库、被改动的备份一律拒绝。密钥须与备份时相同（从环境变量读取）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="备份目录（含 manifest.json）")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            restored = restore_backup(path=path, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if restored.problems:
            raise CommandError(
                "恢复后的核验未通过：\n" + "\n".join(f"- {p}" for p in restored.problems)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成，核验通过：{restored.rows} 行数据、{restored.files} 个文件与清单一致，"
                f"审计链完整（{restored.audit_seq} 条）"
            )
        )
        if restored.vendor == "postgresql":
            self.stdout.write(
                "表归恢复所用的角色所有：请像每次 migrate 之后一样为服务的角色授权（见 README）"
            )
        if restored.needs_migrate:
            self.stdout.write(
                self.style.WARNING("备份早于本程序的版本：启动服务前请运行 manage.py migrate")
            )
