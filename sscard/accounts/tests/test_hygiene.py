"""No default, shared or forgotten accounts: staff accounts unused for 90 days are turned
off by the periodic job (audited, citizens untouched), and ``manage.py check_accounts``
names every default-named account and every administrator without the second factor."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from sscard.accounts.hygiene import staff_deactivate_stale
from sscard.accounts.models import User
from sscard.accounts.tasks import deactivate_stale_staff_task
from sscard.audit.models import AuditRecord
from sscard.backoffice.otp import staff_totp_enrol
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


def test_the_limit_is_ninety_days():
    assert settings.SSCARD_STAFF_STALE_DAYS == 90


def test_staff_unused_for_ninety_days_are_deactivated_and_told_apart_from_the_active():
    now = timezone.now()
    stale = StaffFactory(username="reviewer_old", last_login=now - timedelta(days=91))
    never = StaffFactory(username="clerk_never", role=User.Role.CLERK, last_login=None)
    User.objects.filter(pk=never.pk).update(date_joined=now - timedelta(days=120))
    recent = StaffFactory(username="reviewer_new", last_login=now - timedelta(days=89))
    new_hire = StaffFactory(username="producer_new", role=User.Role.PRODUCER, last_login=None)
    citizen = UserFactory(last_login=now - timedelta(days=800))

    assert staff_deactivate_stale(now=now) == 2

    active = dict(User.objects.values_list("username", "is_active"))
    assert not active["reviewer_old"] and not active["clerk_never"]
    assert active["reviewer_new"] and active["producer_new"]
    assert active[citizen.username]  # citizens' accounts are not the job's business
    records = AuditRecord.objects.filter(action="account.staff_deactivated_stale")
    assert sorted(records.values_list("target_id", flat=True)) == sorted(
        [str(stale.pk), str(never.pk)]
    )
    assert staff_deactivate_stale(now=now) == 0  # running again changes nothing
    assert records.count() == 2
    assert {recent.username, new_hire.username} <= set(
        User.objects.filter(is_active=True).values_list("username", flat=True)
    )


def test_a_deactivated_staff_member_is_signed_out_and_cannot_sign_in(reviewer):
    client = otp_login(Client(), reviewer)
    assert client.get("/staff/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        deactivate_stale_staff_task.enqueue()  # the periodic job, as run_periodic enqueues it
    reviewer.refresh_from_db()
    assert not reviewer.is_active
    answer = client.get("/staff/")
    assert answer.status_code == 302 and answer["Location"].startswith("/staff/login/")


def test_the_job_is_scheduled():
    assert "sscard.accounts.tasks.deactivate_stale_staff_task" in settings.SSCARD_PERIODIC_TASKS


def test_check_accounts_names_default_accounts_and_staff_without_a_second_factor(capsys):
    StaffFactory(username="admin", role=User.Role.ADMIN, is_superuser=True)
    StaffFactory(username="Test", role=User.Role.REVIEWER)
    staff_totp_enrol(user=StaffFactory(username="wangfang"), actor=None)
    UserFactory(username="root", is_active=False)  # already off: not a finding
    UserFactory(username="lisi")

    with pytest.raises(CommandError, match="发现4个账号问题"):
        call_command("check_accounts")
    out = capsys.readouterr().out
    assert "账号 admin：默认或共用账号名" in out
    assert "账号 Test：默认或共用账号名" in out
    assert "账号 admin：工作人员或管理员账号未绑定动态验证码" in out
    assert "账号 Test：工作人员或管理员账号未绑定动态验证码" in out
    assert "wangfang" not in out and "lisi" not in out and "root" not in out


def test_check_accounts_passes_a_clean_database(capsys):
    staff_totp_enrol(user=StaffFactory(username="wangfang"), actor=None)
    superuser = StaffFactory(username="zhaolei", role=User.Role.ADMIN, is_superuser=True)
    staff_totp_enrol(user=superuser, actor=None)
    UserFactory(username="lisi")
    call_command("check_accounts")
    assert "未发现账号问题" in capsys.readouterr().out


def test_a_superuser_outside_the_administrator_role_is_named(capsys):
    odd = StaffFactory(username="liuwei", role=User.Role.REVIEWER, is_superuser=True)
    staff_totp_enrol(user=odd, actor=None)
    with pytest.raises(CommandError):
        call_command("check_accounts")
    assert "账号 liuwei：超级用户不是系统管理员角色" in capsys.readouterr().out
