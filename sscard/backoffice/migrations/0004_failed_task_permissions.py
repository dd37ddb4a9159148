"""系统管理员 gain the failed background tasks (seen and run again: /staff/tasks/failed/); a frozen
copy of ``ROLE_GROUPS`` as of this migration."""

from django.db import migrations

from sscard.backoffice.migrations import _groups

GROUPS = {
    "审核人员": (
        "applications.review_application",
        "applications.reveal_personal_data",
        "applications.counter_service",
        "applications.view_application",
        "applications.view_material",
        "applications.view_dashboard",
        "accounts.review_employer",
    ),
    "制卡管理员": (
        "production.view_productionorder",
        "production.change_productionorder",
        "production.view_batch",
        "production.add_batch",
        "production.change_batch",
        "production.export_batch",
        "production.import_results",
        "applications.view_application",
        "applications.view_dashboard",
    ),
    "网点柜员": (
        "applications.outlet_work",
        "applications.counter_service",
        "production.view_productionorder",
    ),
    "系统管理员": (
        "audit.view_auditrecord",
        "applications.view_dashboard",
        "notifications.view_message",
        "notifications.resend_message",
        "taskqueue.view_failed_task",
        "taskqueue.requeue_task",
    ),
}
LABELS = ("accounts", "applications", "audit", "production", "notifications", "taskqueue")


def set_groups(apps, schema_editor):
    _groups.set_groups(apps, GROUPS, LABELS)


def previous_groups(apps, schema_editor):
    from importlib import import_module

    frozen = import_module("sscard.backoffice.migrations.0003_employer_review_permission")
    _groups.set_groups(apps, frozen.GROUPS, frozen.LABELS)


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0003_employer_review_permission"),
        ("taskqueue", "0001_initial"),
    ]

    operations = [migrations.RunPython(set_groups, previous_groups)]
