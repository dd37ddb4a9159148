"""The security notices (挂失, 解挂, 补换卡, account changes) and their templates, each with
the “不是本人操作？” link. The two security notices that existed before (信息变更, 启用) get the
link too, unless an administrator has reworded them: their own words are kept."""

from django.db import migrations, models

from sscard.notifications.defaults import DEFAULT_TEMPLATES

NEW_EVENTS = (
    "loss_temporary",
    "loss_formal",
    "loss_cancelled",
    "reissue_submitted",
    "reissue_approved",
    "account_linked",
    "password_changed",
    "wechat_bound",
    "face_login_new",
    "account_taken_back",
)
# the wording 0002 seeded, replaced only where it is still as seeded
SEEDED_BEFORE = {
    "contact_changed": "{name}您好，您的社保卡信息变更已办结，变更项目：{fields}。"
    "如非本人操作，请立即致电12333。",
    "card_enabled": "{name}您好，您的社保卡{card}社保应用已启用。"
    "如非本人操作，请立即办理挂失并致电12333。",
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for event in NEW_EVENTS:
        title, body = DEFAULT_TEMPLATES[event]
        MessageTemplate.objects.get_or_create(event=event, defaults={"title": title, "body": body})
    for event, before in SEEDED_BEFORE.items():
        MessageTemplate.objects.filter(event=event, body=before).update(
            body=DEFAULT_TEMPLATES[event][1]
        )


def unseed(apps, schema_editor):
    pass  # the templates may have been edited since: keep them


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_seed_templates'),
    ]

    operations = [
        migrations.AlterField(
            model_name='messagetemplate',
            name='body',
            field=models.TextField(help_text='可用占位符（花括号内）：{name} 持卡人姓名（脱敏，如 张**）；{item} 服务事项名称；{receipt} 受理编号；{due_on} 法定办结日期；{decision} 不予受理或不予通过；{reason} 退回补正或不予通过的原因；{link} 办件或消息中心的链接；{card} 社保卡卡号（脱敏，如 A****5678）；{expires_at} 临时挂失到期时间；{outlet_name} 领卡网点名称；{outlet_address} 领卡网点地址；{opening_hours} 领卡网点营业时间；{outlet_phone} 领卡网点咨询电话；{tracking_number} 快递单号；{signed_on} 网点签收日期；{fields} 已变更的信息项；{phone} 变更后的手机号码（脱敏，如 138****5678）；{old_card} 补换卡时注销的原社保卡卡号（脱敏）；{account} 涉及的账号（脱敏，如 zh****）；{at} 办理时间；{report_link} “不是本人操作？”报告链接（安全类通知，30天内有效）', verbose_name='内容'),
        ),
        migrations.AlterField(
            model_name='messagetemplate',
            name='event',
            field=models.CharField(choices=[('app_accepted', '受理'), ('app_returned', '退回补正'), ('app_approved', '审核通过'), ('app_rejected', '不予受理/不予通过'), ('prod_producing', '制卡中'), ('prod_outlet', '网点签收'), ('prod_mailed', '已寄出'), ('loss_lapsing', '临时挂失明日到期'), ('loss_lapsed', '临时挂失已到期解除'), ('uncollected', '社保卡满11个月未领取'), ('contact_changed', '信息变更办结'), ('card_enabled', '启用办结'), ('loss_temporary', '临时挂失'), ('loss_formal', '正式挂失'), ('loss_cancelled', '解挂'), ('reissue_submitted', '补换卡申请已提交'), ('reissue_approved', '补换卡审核通过'), ('account_linked', '新账号关联本人'), ('password_changed', '登录密码修改'), ('wechat_bound', '绑定微信'), ('face_login_new', '人脸识别登录新账号'), ('account_taken_back', '人脸识别收回账号')], max_length=20, unique=True, verbose_name='事件'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='event',
            field=models.CharField(choices=[('app_accepted', '受理'), ('app_returned', '退回补正'), ('app_approved', '审核通过'), ('app_rejected', '不予受理/不予通过'), ('prod_producing', '制卡中'), ('prod_outlet', '网点签收'), ('prod_mailed', '已寄出'), ('loss_lapsing', '临时挂失明日到期'), ('loss_lapsed', '临时挂失已到期解除'), ('uncollected', '社保卡满11个月未领取'), ('contact_changed', '信息变更办结'), ('card_enabled', '启用办结'), ('loss_temporary', '临时挂失'), ('loss_formal', '正式挂失'), ('loss_cancelled', '解挂'), ('reissue_submitted', '补换卡申请已提交'), ('reissue_approved', '补换卡审核通过'), ('account_linked', '新账号关联本人'), ('password_changed', '登录密码修改'), ('wechat_bound', '绑定微信'), ('face_login_new', '人脸识别登录新账号'), ('account_taken_back', '人脸识别收回账号')], max_length=20, verbose_name='事件'),
        ),
        migrations.RunPython(seed, unseed),
    ]
