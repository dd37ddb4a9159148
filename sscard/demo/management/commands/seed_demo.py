"""``python manage.py seed_demo``: a Jieyang deployment with a believable history (what it
writes and how: :mod:`sscard.demo.seed`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from sscard.accounts.models import User
from sscard.demo.seed.clock import quiet_audit_log
from sscard.demo.seed.output import address_lines, login_table, staff_login_lines, summary
from sscard.demo.seed.reference import DEMO_PASSWORD, MARKER_USERNAME, STAFF_PASSWORD
from sscard.demo.seed.seeder import Seeder


class Command(BaseCommand):
    help = (
        "写入演示数据（揭阳市）：合作银行、五个区县的服务网点、2027年暂定节假日、各角色工作人员、"
        "演示账号，以及200余名处于各种社保卡状态、办件状态和制卡进度的人员。"
        f"个人与单位演示账号密码均为 {DEMO_PASSWORD}，工作人员账号密码均为 {STAFF_PASSWORD}。"
        "已写入过（存在 demo_admin 账号）时只打印演示账号。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SSCARD_ENV == "production":
            # published passwords, a published TOTP secret, a superuser: never on real data
            raise CommandError("演示数据只能写入演示或测试环境（SSCARD_ENV=production 时拒绝）")
        if User.objects.filter(username=MARKER_USERNAME).exists():
            self.stdout.write("演示数据已存在，未重复写入。")
        else:
            started = timezone.now()
            with transaction.atomic(), quiet_audit_log():
                Seeder().run()
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(self.style.SUCCESS(f"演示数据已写入（{seconds:.1f} 秒）。"))
            for line in summary():
                self.stdout.write(line)
        self.stdout.write("")
        for line in address_lines():
            self.stdout.write(line)
        self.stdout.write("演示账号：")
        for line in login_table():
            self.stdout.write(line)
        self.stdout.write("")
        for line in staff_login_lines():
            self.stdout.write(line)
