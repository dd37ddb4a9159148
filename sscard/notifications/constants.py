"""The events sscard tells people about, the channels it tells them through, and the states of
one message in the outbox."""

from __future__ import annotations

from django.db import models

from sscard.production.constants import Stage


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


# The production stages the holder is told about.
STAGE_EVENTS: dict[str, str] = {
    Stage.PRODUCING: Event.PRODUCTION_PRODUCING,
    Stage.OUTLET: Event.PRODUCTION_AT_OUTLET,
    Stage.MAILED: Event.PRODUCTION_MAILED,
}


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信订阅消息"
    INBOX = "inbox", "消息中心"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "失败"


# Security notices go by SMS whatever the holder's preferences say: a change of phone number
# or the enabling of a card that the holder did not make must reach them (ASVS 6.3.7).
ALWAYS_BY_SMS = frozenset({Event.CONTACT_CHANGED, Event.CARD_ENABLED})

# A card signed in at its outlet and not collected for this many months is reminded once.
UNCOLLECTED_MONTHS = 11

# The placeholders a template may use, with what they stand for (shown to administrators).
PLACEHOLDERS: dict[str, str] = {
    "name": "持卡人姓名（脱敏，如 张**）",
    "item": "服务事项名称",
    "receipt": "受理编号",
    "due_on": "法定办结日期",
    "decision": "不予受理或不予通过",
    "reason": "退回补正或不予通过的原因",
    "link": "办件或消息中心的链接",
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
}
