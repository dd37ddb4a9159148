"""系统管理员 gain 查看缴费、退款与对账 (sscard.payments); a frozen copy of ``ROLE_GROUPS`` as of
this migration."""

from importlib import import_module

from django.db import migrations

from sscard.backoffice.migrations import _groups

_previous = import_module("sscard.backoffice.migrations.0004_failed_task_permissions")

GROUPS = {
    **_previous.GROUPS,
    "系统管理员": (*_previous.GROUPS["系统管理员"], "payments.view_payments"),
}
LABELS = (*_previous.LABELS, "payments")


def set_groups(apps, schema_editor):
    _groups.set_groups(apps, GROUPS, LABELS)


def previous_groups(apps, schema_editor):
    _groups.set_groups(apps, _previous.GROUPS, _previous.LABELS)


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0004_failed_task_permissions"),
        ("payments", "0001_initial"),
    ]

    operations = [migrations.RunPython(set_groups, previous_groups)]
