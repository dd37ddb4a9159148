"""Every change made in the Django admin is in the audit trail — additions, changes (before and
after), deletions (one at a time or selected in a list), passwords set for someone and the
administrator's own — with personal data masked and secrets (password hashes, TOTP keys)
never written, only that they changed. And administrators run settings, not decisions: they
do not see 显示完整信息 unless they are reviewers too."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse

from sscard.accounts.models import User
from sscard.audit.models import AuditRecord
from sscard.backoffice.otp import staff_totp_enrol
from sscard.regions.models import Bank, HolidayOverride
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db

ADMIN_PASSWORD = "Admin-password-2026"


@pytest.fixture
def root(db):
    return StaffFactory(
        username="root", role=User.Role.ADMIN, is_superuser=True, password=ADMIN_PASSWORD
    )


@pytest.fixture
def admin_client(root):
    return otp_login(Client(), root)


def _form(client: Client, url: str) -> dict[str, Any]:
    """The change form's fields as the page fills them in, ready to post back."""
    form = client.get(url).context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):  # a date and a time, as two inputs
            parts = value if isinstance(value, list) else field.widget.decompress(value)
            for i, part in enumerate(parts):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def _record(action: str, obj: Any) -> AuditRecord:
    return AuditRecord.objects.get(
        action=action, target_type=obj._meta.label_lower, target_id=str(obj.pk)
    )


def test_adding_a_bank_is_audited_with_what_was_added(admin_client, root):
    response = admin_client.post(
        "/admin/regions/bank/add/",
        {"code": "ICBC9", "name": "测试银行", "hotline": "95588", "active": "on"},
    )
    assert response.status_code == 302
    bank = Bank.objects.get(code="ICBC9")
    record = _record("admin.added", bank)
    assert record.actor_id == root.pk
    assert record.detail["after"]["name"] == "测试银行"
    assert record.detail["model"] == "regions.bank"


def test_changing_a_setting_records_it_before_and_after(admin_client, region):
    url = f"/admin/regions/regionsettings/{region.pk}/change/"
    data = _form(admin_client, url)
    before = region.guardian_age
    response = admin_client.post(url, {**data, "guardian_age": before + 1})
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = _record("admin.changed", region)
    assert record.detail["changes"] == {"guardian_age": {"before": before, "after": before + 1}}


def test_the_administrator_chooses_where_a_paid_application_goes(admin_client, region):
    url = f"/admin/regions/regionsettings/{region.pk}/change/"
    assert "缴费后办件去向" in admin_client.get(url).content.decode()
    response = admin_client.post(
        url, {**_form(admin_client, url), "paid_fee_goes_to": "production"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    region.refresh_from_db()
    assert region.paid_fee_goes_to == "production"
    assert _record("admin.changed", region).detail["changes"] == {
        "paid_fee_goes_to": {"before": "review", "after": "production"}
    }


def test_deleting_a_holiday_one_at_a_time_or_selected_is_audited(admin_client):
    one = HolidayOverride.objects.create(date=date(2031, 1, 1), is_workday=False, name="元旦")
    two = HolidayOverride.objects.create(date=date(2031, 1, 2), is_workday=False, name="调休")
    pks = [one.pk, two.pk]
    admin_client.post(f"/admin/regions/holidayoverride/{one.pk}/delete/", {"post": "yes"})
    admin_client.post(
        "/admin/regions/holidayoverride/",
        {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"},
    )
    assert not HolidayOverride.objects.filter(pk__in=pks).exists()
    deleted = AuditRecord.objects.filter(
        action="admin.deleted", target_type="regions.holidayoverride"
    )
    assert sorted(r.detail["before"]["name"] for r in deleted) == ["元旦", "调休"]
    assert sorted(int(r.target_id) for r in deleted) == sorted(pks)


def test_a_password_set_in_the_admin_is_recorded_as_changed_never_its_hash(admin_client):
    clerk = StaffFactory(username="clerk9", role=User.Role.CLERK)
    old_hash = clerk.password
    response = admin_client.post(
        f"/admin/accounts/user/{clerk.pk}/password/",
        {
            "password1": "Another-staff-pass-2026",
            "password2": "Another-staff-pass-2026",
            "set_usable_password": "true",
        },
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    record = _record("admin.changed", clerk)
    assert record.detail["changes"] == {"password": "已修改（不记录内容）"}
    for secret in (old_hash, clerk.password, "Another-staff-pass-2026"):
        assert secret not in str(record.detail)


def test_changing_an_account_masks_its_personal_data_and_names_its_groups(admin_client):
    user = UserFactory(username="zhang.wei", first_name="张伟", email="zhangwei@example.cn")
    url = f"/admin/accounts/user/{user.pk}/change/"
    data = _form(admin_client, url)
    group = Group.objects.get(name="审核人员")
    response = admin_client.post(url, {**data, "first_name": "张卫东", "groups": [group.pk]})
    assert response.status_code == 302, response.context["adminform"].form.errors
    changes = _record("admin.changed", user).detail["changes"]
    assert changes["first_name"] == {"before": "张*", "after": "张**"}
    assert changes["groups"] == {"before": [], "after": ["审核人员"]}
    assert "zhang.wei" not in str(changes) and "zhangwei@" not in str(changes)


def test_a_totp_device_key_never_reaches_the_trail(admin_client):
    clerk = StaffFactory(username="clerk8", role=User.Role.CLERK)
    device = staff_totp_enrol(user=clerk, actor=None)
    url = f"/admin/otp_totp/totpdevice/{device.pk}/change/"
    data = _form(admin_client, url)
    response = admin_client.post(url, {**data, "name": "新手机", "key": "ab" * 20})
    assert response.status_code == 302, response.context["adminform"].form.errors
    changes = _record("admin.changed", device).detail["changes"]
    assert changes["name"] == {"before": device.name, "after": "新手机"}
    assert changes["key"] == "已修改（不记录内容）"
    assert device.key not in str(changes) and "ab" * 20 not in str(changes)


def test_the_administrators_own_password_change_is_audited(admin_client, root):
    response = admin_client.post(
        reverse("admin:password_change"),
        {
            "old_password": ADMIN_PASSWORD,
            "new_password1": "Newer-admin-pass-2026",
            "new_password2": "Newer-admin-pass-2026",
        },
    )
    assert response.status_code == 302
    record = AuditRecord.objects.get(action="admin.password_changed")
    assert record.actor_id == root.pk and record.target_id == str(root.pk)


# --- 显示完整信息 is a reviewer's, not an administrator's ----------------------------------


def test_an_administrator_alone_cannot_reveal_personal_data(accepted, root):
    client = otp_login(Client(), root)
    page = client.get(reverse("backoffice:application", args=[accepted.pk])).content.decode()
    assert "显示完整信息" not in page
    response = client.post(reverse("backoffice:reveal", args=[accepted.pk]))
    assert response.status_code == 403
    assert not AuditRecord.objects.filter(action="application.revealed").exists()


def test_an_administrator_who_is_also_a_reviewer_may_reveal(accepted):
    both = StaffFactory(username="root.reviewer", role=User.Role.REVIEWER, is_superuser=True)
    client = otp_login(Client(), both)
    page = client.get(reverse("backoffice:application", args=[accepted.pk])).content.decode()
    assert "显示完整信息" in page
    response = client.post(reverse("backoffice:reveal", args=[accepted.pk]))
    assert response.status_code == 200
    assert accepted.subject.doc_number in response.content.decode()


def test_a_list_action_is_audited_with_the_rows_it_ran_on(admin_client, root, accepted):
    admin_client.post(
        "/admin/applications/application/",
        {"action": "approve", "_selected_action": [accepted.pk]},
    )
    record = AuditRecord.objects.get(action="admin.action")
    assert record.actor_id == root.pk
    assert record.detail == {
        "model": "applications.application",
        "action": "approve",
        "ids": [str(accepted.pk)],
    }
    accepted.refresh_from_db()
    assert accepted.status == "accepted"  # administrators run settings, not decisions


def test_deleting_a_lockout_count_is_audited_with_the_account_masked(admin_client):
    attempt = AccessAttempt.objects.create(
        username="zhang.san", ip_address="10.0.9.9", user_agent="x", failures_since_start=3
    )
    admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    before = AuditRecord.objects.get(action="admin.deleted").detail["before"]
    assert before["username"] == "zh****" and before["failures_since_start"] == 3
    assert "post_data" not in before
