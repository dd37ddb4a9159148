"""The four staff role groups with explicit permissions (a frozen copy of
``sscard.backoffice.roles.ROLE_GROUPS``; a test keeps the two equal)."""

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
    ),
    "制卡管理员": (
        "production.view_productionorder",
        "production.change_productionorder",
        "applications.view_application",
        "applications.view_dashboard",
    ),
    "网点柜员": (
        "applications.outlet_work",
        "applications.counter_service",
        "production.view_productionorder",
    ),
    "系统管理员": ("audit.view_auditrecord", "applications.view_dashboard"),
}


def create_groups(apps, schema_editor):
    _groups.set_groups(apps, GROUPS, ("applications", "audit", "production"))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("applications", "0003_staff_review"),
        ("audit", "0002_append_only"),
        ("production", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
