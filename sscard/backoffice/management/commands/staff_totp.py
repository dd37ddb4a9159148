"""``manage.py staff_totp USER``: bind a new TOTP device to a staff account and print the
secret for the authenticator app; ``--code`` prints the demo device's current code instead
(refused in production)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from sscard.accounts.models import User
from sscard.backoffice.otp import staff_totp_enrol, totp_code_now, totp_secret
from sscard.core.errors import DomainError


class Command(BaseCommand):
    help = "绑定工作人员的动态验证码（TOTP），或（演示环境）显示当前动态验证码。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--code", action="store_true", help="显示当前动态验证码（仅演示与测试环境）"
        )

    def handle(self, *args: Any, username: str, code: bool, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在")
        try:
            if code:
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
                if device is None:
                    raise CommandError(f"账号 {username} 未绑定动态验证码")
                self.stdout.write(totp_code_now(device))
                return
            device = staff_totp_enrol(user=user, actor=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"密钥（添加到身份验证器）：{totp_secret(device)}")
        self.stdout.write(f"otpauth 链接：{device.config_url}")
