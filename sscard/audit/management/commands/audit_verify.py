"""``python manage.py audit_verify``: check the audit trail's hash chain (exit 0 when it is
intact, else 1 naming the first record where it breaks)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sscard.audit.selectors import hash_at, verify_trail


class Command(BaseCommand):
    help = (
        "核验审计记录的哈希链：逐条重算每条记录的哈希（SSCARD_AUDIT_KEY），检查序号连续、"
        "每条记录都接在前一条之后、链尾与最后一次写入一致。链完整时退出码为 0 并打印核验条数；"
        "否则退出码为 1，并指出第一条断开的记录。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="此前在别处记下的链上一点（audit_verify 的输出）：核验该条记录仍在且哈希未变",
        )

    def handle(self, *args: Any, anchor: list[str], **options: Any) -> None:
        verdict = verify_trail()
        if verdict.broken:
            where = (
                f"记录 id={verdict.broken.record_id}（序号 {verdict.broken.seq}）"
                if verdict.broken.record_id is not None
                else "链尾"
            )
            raise CommandError(
                f"审计链在{where}处断开：{verdict.broken.reason}。"
                f"此前的 {verdict.verified} 条记录完好。"
            )
        for point in anchor:
            seq, _, expected = point.partition(":")
            if not seq.isdigit() or hash_at(int(seq)) != expected:
                raise CommandError(f"审计链与此前记下的 {point} 不符：该条记录缺失或被替换。")
        self.stdout.write(
            self.style.SUCCESS(
                f"审计链完整：已核验 {verdict.verified} 条记录。"
                f"链尾 {verdict.last_seq}:{verdict.last_hash}"
            )
        )
