"""Setting the role groups' permissions from a frozen table, inside a data migration."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes


def set_groups(apps, groups, labels):
    for label in labels:
        config = apps.get_app_config(label)
        config.models_module = True  # historical app configs have none; the helpers need it
        create_contenttypes(config, verbosity=0, apps=apps)
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in groups.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
