"""manage.py reconcile_payments [--date YYYY-MM-DD]: yesterday's (or that day's) orders and
refunds against the gateway's statement file; the differences are listed and stored for the
back office (缴费与对账). Exit status 1 when there are differences or no statement."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sscard.core.money import yuan
from sscard.payments.reconciliation import reconcile


class Command(BaseCommand):
    help = "对账：本系统的缴费与退款记录与支付机构的对账单逐笔核对"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="对账日期 YYYY-MM-DD（默认昨天）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD") from None
        else:
            day = timezone.localdate() - timedelta(days=1)
        run = reconcile(day=day)
        if run.error:
            raise CommandError(f"{day}：未取得对账单（{run.error}），请稍后重新对账")
        self.stdout.write(f"{day}：本系统 {run.ours} 笔，对账单 {run.theirs} 笔")
        differences = list(run.differences.all())
        for difference in differences:
            ours = "—" if difference.ours_fen is None else yuan(difference.ours_fen)
            theirs = "—" if difference.theirs_fen is None else yuan(difference.theirs_fen)
            self.stdout.write(
                f"  {difference.get_kind_display()} {difference.entry} {difference.reference} "
                f"本系统 {ours} 对账单 {theirs}"
            )
        if differences:
            raise CommandError(f"{len(differences)} 处差异，请核查")
        self.stdout.write("无差异")
