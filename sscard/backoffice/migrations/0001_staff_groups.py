"""The four staff role groups with explicit permissions (a frozen copy of
``sscard.backoffice.roles.ROLE_GROUPS``; a test keeps the two equal)."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

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
    for label in ("applications", "audit", "production"):
        config = apps.get_app_config(label)
        config.models_module = True  # historical app configs have none; the helpers need it
        create_contenttypes(config, verbosity=0, apps=apps)
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("applications", "0002_staff_review"),
        ("audit", "0002_append_only"),
        ("production", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
