"""工本费已缴纳 no longer says 申请已提交审核: where the region sends a paid application straight
to production the system approves it at once, so the notice says the application goes on
(申请已进入办理) whichever way it goes. Only a template still as seeded changes: an
administrator's own wording is kept."""

from django.db import migrations

EVENT = "payment_paid"
SEEDED = (
    "{name}您好，您的{item}申请（受理编号{receipt}）已缴纳工本费{amount}，申请已提交审核，"
    "审核结果将另行通知。办理进度可在“智慧人社”查询：{link}"
)
NOW = (
    "{name}您好，您的{item}申请（受理编号{receipt}）已缴纳工本费{amount}，申请已进入办理，"
    "办理结果将另行通知。办理进度可在“智慧人社”查询：{link}"
)


def reword(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(event=EVENT, body=SEEDED).update(body=NOW)


def unreword(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(event=EVENT, body=NOW).update(body=SEEDED)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0011_instant_notices_link_their_receipt"),
    ]

    operations = [migrations.RunPython(reword, unreword)]
