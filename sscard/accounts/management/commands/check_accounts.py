"""``manage.py check_accounts``: the accounts an assessor looks for first (default or shared
names, administrators without the second factor); exits 1 when any is found, so that a
deployment pipeline can stop on it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sscard.accounts.hygiene import account_findings


class Command(BaseCommand):
    help = "检查默认账号、共用账号与未绑定动态验证码的工作人员账号；发现问题时以状态码1退出。"

    def handle(self, *args: Any, **options: Any) -> None:
        findings = account_findings()
        for finding in findings:
            self.stdout.write(finding)
        if findings:
            raise CommandError(f"发现{len(findings)}个账号问题")
        self.stdout.write("未发现账号问题")
