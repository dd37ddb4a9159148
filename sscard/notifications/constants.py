"""The events sscard tells people about, the channels it tells them through, and the states of
one message in the outbox."""

from __future__ import annotations

from django.db import models


# Every event any app tells of, in one catalogue: the outbox's vocabulary (the codes its rows
# store, the labels its screens show, the default wording its migrations seed). The app that
# causes an event decides when to tell it and gives the values; nothing here knows its models.
class Event(models.TextChoices):
    APPLICATION_ACCEPTED = "app_accepted", "受理"
    APPLICATION_RETURNED = "app_returned", "退回补正"
    APPLICATION_APPROVED = "app_approved", "审核通过"
    APPLICATION_REJECTED = "app_rejected", "不予受理/不予通过"
    PRODUCTION_PRODUCING = "prod_producing", "制卡中"
    PRODUCTION_AT_OUTLET = "prod_outlet", "网点签收"
    PRODUCTION_MAILED = "prod_mailed", "已寄出"
    LOSS_LAPSES_TOMORROW = "loss_lapsing", "临时挂失明日到期"
    LOSS_LAPSED = "loss_lapsed", "临时挂失已到期解除"
    CARD_UNCOLLECTED = "uncollected", "社保卡满11个月未领取"
    CONTACT_CHANGED = "contact_changed", "信息变更办结"
    CARD_ENABLED = "card_enabled", "启用办结"
    LOSS_TEMPORARY = "loss_temporary", "临时挂失"
    LOSS_FORMAL = "loss_formal", "正式挂失"
    LOSS_CANCELLED = "loss_cancelled", "解挂"
    REISSUE_SUBMITTED = "reissue_submitted", "补换卡申请已提交"
    REISSUE_APPROVED = "reissue_approved", "补换卡审核通过"
    ACCOUNT_LINKED = "account_linked", "新账号关联本人"
    PASSWORD_CHANGED = "password_changed", "登录密码修改"
    WECHAT_BOUND = "wechat_bound", "绑定微信"
    FACE_LOGIN_NEW = "face_login_new", "人脸识别登录新账号"
    ACCOUNT_TAKEN_BACK = "account_taken_back", "人脸识别收回账号"
    EMPLOYER_APPROVED = "employer_approved", "单位注册审核通过"
    EMPLOYER_REFUSED = "employer_refused", "单位注册审核未通过"
    CARD_RECEIVED = "card_received", "已领卡"
    APPOINTMENT_TOMORROW = "appt_tomorrow", "网点预约明日到期"
    PAYMENT_PAID = "payment_paid", "工本费缴纳成功"
    PAYMENT_REFUNDED = "payment_refunded", "工本费退款"


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信订阅消息"
    INBOX = "inbox", "消息中心"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "失败"


# Security notices: a change to the card or the account that the holder may not have made.
# They go by SMS whatever the preferences say, to the holder's phone on file and to every
# active guardian's (ASVS 6.3.7), and each carries the “不是本人操作？” link (``report_link``).
ALWAYS_BY_SMS = frozenset(
    {
        Event.CONTACT_CHANGED,
        Event.CARD_ENABLED,
        Event.LOSS_TEMPORARY,
        Event.LOSS_FORMAL,
        Event.LOSS_CANCELLED,
        Event.REISSUE_SUBMITTED,
        Event.REISSUE_APPROVED,
        Event.ACCOUNT_LINKED,
        Event.PASSWORD_CHANGED,
        Event.WECHAT_BOUND,
        Event.FACE_LOGIN_NEW,
        Event.ACCOUNT_TAKEN_BACK,
    }
)
SECURITY_EVENTS = ALWAYS_BY_SMS

# The account events other apps report with ``services.notify_account_event``.
ACCOUNT_EVENTS = frozenset(
    {
        Event.ACCOUNT_LINKED,
        Event.PASSWORD_CHANGED,
        Event.WECHAT_BOUND,
        Event.FACE_LOGIN_NEW,
        Event.ACCOUNT_TAKEN_BACK,
    }
)

# A security notice whose template (edited by an administrator) lost its link gets this.
REPORT_SENTENCE = "不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}"


# The placeholders a template may use, with what they stand for (shown to administrators).
PLACEHOLDERS: dict[str, str] = {
    "name": "持卡人姓名（脱敏，如 张**）",
    "item": "服务事项名称",
    "receipt": "受理编号",
    "due_on": "法定办结日期",
    "decision": "不予受理或不予通过",
    "reason": "退回补正或不予通过的原因；退款的原因",
    "link": "办件或消息中心的链接",
    "receipt_link": "受理回执（受理通知）或办结凭证（即时办结的事项）PDF的下载链接",
    "ecard_link": "“我的电子社保卡”的链接（亮码）",
    "card": "社保卡卡号（脱敏，如 A****5678）",
    "expires_at": "临时挂失到期时间",
    "outlet_name": "领卡网点名称",
    "outlet_address": "领卡网点地址",
    "opening_hours": "领卡网点营业时间",
    "outlet_phone": "领卡网点咨询电话",
    "tracking_number": "快递单号",
    "signed_on": "网点签收日期",
    "fields": "已变更的信息项",
    "phone": "变更后的手机号码（脱敏，如 138****5678）",
    "old_card": "补换卡时注销的原社保卡卡号（脱敏）",
    "account": "涉及的账号（脱敏，如 zh****）",
    "at": "办理时间",
    "employer": "单位名称（单位注册审核通知）",
    "slot": "网点预约的日期和时段",
    "code": "网点预约码",
    "amount": "缴纳或退回的金额（如 ¥20.00）",
    "report_link": "“不是本人操作？”报告链接（安全类通知，30天内有效）",
}
