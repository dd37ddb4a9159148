"""Accounts an assessor looks for first: default or shared names, administrators without the
second factor, and staff accounts nobody has used for months (deactivated by a periodic job;
a returning member of staff asks an administrator to turn the account back on)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sscard.accounts.models import User
from sscard.accounts.staff import STAFF_ROLES
from sscard.audit.services import audit_record

# names that say "installed by default" or "shared by a team", never one person's account
DEFAULT_NAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "sa",
        "test",
        "tester",
        "guest",
        "demo",
        "user",
        "staff",
        "operator",
        "system",
        "sysadmin",
        "superuser",
        "manager",
        "support",
    }
)


def _privileged() -> Q:
    return Q(role__in=STAFF_ROLES) | Q(is_staff=True) | Q(is_superuser=True)


def account_findings() -> list[str]:
    """What an assessor would write down, one sentence an account (empty: nothing found)."""
    findings = []
    active = User.objects.filter(is_active=True)
    for user in active.filter(username__iregex=r"^(" + "|".join(sorted(DEFAULT_NAMES)) + r")$"):
        findings.append(f"账号 {user.username}：默认或共用账号名，应改为实名个人账号或停用")
    with_totp = TOTPDevice.objects.filter(confirmed=True).values("user_id")
    for user in active.filter(_privileged()).exclude(pk__in=with_totp).order_by("username"):
        findings.append(f"账号 {user.username}：工作人员或管理员账号未绑定动态验证码（TOTP）")
    for user in active.filter(is_superuser=True).exclude(role=User.Role.ADMIN):
        findings.append(f"账号 {user.username}：超级用户不是系统管理员角色")
    return findings


def staff_deactivate_stale(*, now: datetime | None = None) -> int:
    """Staff accounts not signed in for ``SSCARD_STAFF_STALE_DAYS`` days (or never, since
    they were made that long ago) are deactivated, each audited. Safe to run twice."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SSCARD_STAFF_STALE_DAYS)
    stale = (
        User.objects.filter(is_active=True)
        .filter(_privileged())
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
    )
    done = 0
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=pk)
            if not user.is_active:
                continue
            user.is_active = False
            user.save(update_fields=["is_active"])
            audit_record(
                actor=None,
                action="account.staff_deactivated_stale",
                target=user,
                detail={
                    "last_login": user.last_login.isoformat() if user.last_login else "",
                    "days": settings.SSCARD_STAFF_STALE_DAYS,
                },
            )
            done += 1
    return done
