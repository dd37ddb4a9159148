"""The event templates sscard starts with; administrators edit them afterwards. Existing rows
are left as the administrator wrote them."""

from django.db import migrations

from sscard.notifications.defaults import DEFAULT_TEMPLATES


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for event, (title, body) in DEFAULT_TEMPLATES.items():
        MessageTemplate.objects.get_or_create(event=str(event), defaults={"title": title, "body": body})


def unseed(apps, schema_editor):
    pass  # the templates may have been edited since: keep them


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
