"""The instant items' notices link their 办结凭证 (``receipt_link``): 启用, 临时挂失, 正式挂失
and 解挂, as 信息变更's did already. Only templates still as seeded change: an administrator's
own wording is kept."""

from django.db import migrations

from sscard.notifications.defaults import DEFAULT_TEMPLATES

# the wording seeded before (by 0007), replaced only where it is still as seeded
SEEDED_BEFORE = {
    'card_enabled': '{name}您好，您的社保卡{card}社保应用已启用，可在“我的电子社保卡”亮码使用：{ecard_link}。不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}，或致电12333。',
    'loss_temporary': '{name}您好，您的社保卡{card}已于{at}临时挂失，将于{expires_at}自动解除，其间电子社保卡暂停使用。如卡确已遗失，请在到期前办理正式挂失。不是本人操作？请点此报告：{report_link}',
    'loss_formal': '{name}您好，您的社保卡{card}已于{at}正式挂失，原卡及其电子社保卡不能再使用，可在“智慧人社”办理补卡。不是本人操作？请立即致电12333，并点此报告：{report_link}',
    'loss_cancelled': '{name}您好，您的社保卡{card}已于{at}解除挂失，恢复挂失前的状态；我的电子社保卡：{ecard_link}。不是本人操作？请点此报告（将重新临时挂失您的社保卡）：{report_link}',
}


def reword(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for event, before in SEEDED_BEFORE.items():
        MessageTemplate.objects.filter(event=event, body=before).update(
            body=DEFAULT_TEMPLATES[event][1]
        )


def unreword(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for event, before in SEEDED_BEFORE.items():
        MessageTemplate.objects.filter(event=event, body=DEFAULT_TEMPLATES[event][1]).update(
            body=before
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0010_payment_notices"),
    ]

    operations = [migrations.RunPython(reword, unreword)]
