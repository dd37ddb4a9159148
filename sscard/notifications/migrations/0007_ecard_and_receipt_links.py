"""电子社保卡 and verifiable receipts in the notices: the 受理 notice links its 受理回执, the
instant items their 办结凭证 (``receipt_link``); 启用 and 解挂 link 我的电子社保卡 (``ecard_link``);
挂失 says the e-card is paused too. Only templates still as seeded change: an administrator's
own wording is kept."""

from django.db import migrations

from sscard.notifications.defaults import DEFAULT_TEMPLATES

# the wording seeded before, replaced only where it is still as seeded
SEEDED_BEFORE = {
    'card_enabled': '{name}您好，您的社保卡{card}社保应用已启用。不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}，或致电12333。',
    'loss_temporary': '{name}您好，您的社保卡{card}已于{at}临时挂失，将于{expires_at}自动解除。如卡确已遗失，请在到期前办理正式挂失。不是本人操作？请点此报告：{report_link}',
    'loss_formal': '{name}您好，您的社保卡{card}已于{at}正式挂失，原卡不能再使用，可在“智慧人社”办理补卡。不是本人操作？请立即致电12333，并点此报告：{report_link}',
    'loss_cancelled': '{name}您好，您的社保卡{card}已于{at}解除挂失，恢复挂失前的状态。不是本人操作？请点此报告（将重新临时挂失您的社保卡）：{report_link}',
    'contact_changed': '{name}您好，您的社保卡信息变更已办结，变更项目：{fields}。不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}，或致电12333。',
    'app_accepted': '{name}您好，您的{item}申请已受理，受理编号{receipt}，法定办结日期{due_on}。可在“智慧人社”查询办理进度。',
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
        ("notifications", "0006_stamps_passed_by_services"),
    ]

    operations = [migrations.RunPython(reword, unreword)]
