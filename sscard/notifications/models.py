"""The outbox. A :class:`Notification` is one event that happened to one person; each of its
:class:`Message` rows is one delivery on one channel to one address (or, for the 消息中心, to
one account), written in the same transaction as the change it reports and delivered later by
the task worker (``delivery.outbox_deliver``)."""

from __future__ import annotations

import string
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from sscard.core.fields import EncryptedTextField
from sscard.notifications.constants import PLACEHOLDERS, Channel, Event, MessageStatus


def template_placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders a template text uses; a malformed brace raises ValueError."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


class MessageTemplate(models.Model):
    """One event's wording, edited by administrators. The same text goes by SMS, WeChat and
    into the 消息中心; WeChat also needs the id of the subscription template approved for it."""

    event = models.CharField("事件", max_length=20, choices=Event.choices, unique=True)
    title = models.CharField("标题", max_length=40)
    body = models.TextField(
        "内容",
        help_text="可用占位符（花括号内）："
        + "；".join(f"{{{key}}} {label}" for key, label in PLACEHOLDERS.items()),
    )
    wechat_template_id = models.CharField(
        "微信订阅消息模板ID",
        max_length=64,
        blank=True,
        help_text="公众号后台选用的订阅消息模板；为空则不发送微信消息。"
        "模板关键词：thing1 事项，thing2 内容摘要，time3 时间。",
    )
    active = models.BooleanField("启用", default=True, help_text="停用后该事件不再发送任何消息。")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        ordering = ["event"]

    def __str__(self) -> str:
        return f"{self.get_event_display()}：{self.title}"

    def clean(self) -> None:
        for field in ("title", "body"):
            try:
                used = template_placeholders(getattr(self, field))
            except ValueError:
                raise ValidationError({field: "花括号不成对：占位符应写成 {name} 的形式"}) from None
            unknown = sorted(used - set(PLACEHOLDERS))
            if unknown:
                raise ValidationError(
                    {field: f"未知的占位符：{'、'.join('{' + u + '}' for u in unknown)}"}
                )


class ChannelPreference(models.Model):
    """How a person wants to be told. The 消息中心 is always on."""

    person = models.OneToOneField(
        "accounts.Person",
        verbose_name="持卡人",
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    sms = models.BooleanField("接收短信", default=True)
    wechat = models.BooleanField("接收微信消息", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "消息接收设置"
        verbose_name_plural = "消息接收设置"

    def __str__(self) -> str:
        return str(self.person)


class Notification(models.Model):
    event = models.CharField("事件", max_length=20, choices=Event.choices)
    # a notice is about a person (持卡人) or, for its registration review, an employer (单位)
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name="持卡人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    employer = models.ForeignKey(
        "accounts.Employer",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    # periodic reminders name their occasion so that running them again adds nothing
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField("时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, employer__isnull=True)
                | models.Q(person__isnull=True, employer__isnull=False),
                name="notification_about_a_person_or_an_employer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} · {self.recipient_label}"

    @property
    def recipient_label(self) -> str:
        """Who it is about, as staff screens show it: the masked name, or the employer."""
        if self.person is not None:
            return self.person.masked_name
        return str(self.employer or "")


class Message(models.Model):
    notification = models.ForeignKey(
        Notification, on_delete=models.PROTECT, related_name="messages"
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    # the 消息中心 account that reads it (inbox only)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    # phone number (SMS) or openid (WeChat): encrypted; the masked form is what is shown
    address = EncryptedTextField("接收地址", blank=True)
    address_masked = models.CharField("接收地址（脱敏）", max_length=40, blank=True)
    title = models.CharField("标题", max_length=60)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    wechat_template_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        "发送状态", max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间", null=True, blank=True)
    # a worker holds a message it is sending until then; past it, another worker takes over
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    # sent to gateways that deduplicate by client message id
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    last_error = models.CharField("最近一次错误", max_length=300, blank=True)
    provider_ref = models.CharField("网关消息编号", max_length=100, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        permissions = [("resend_message", "可重新发送失败的消息")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["user", "channel", "read_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel=Channel.INBOX) | models.Q(user__isnull=False),
                name="inbox_message_has_an_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.title}（{self.get_status_display()}）"

    @property
    def is_unread(self) -> bool:
        return self.channel == Channel.INBOX and self.read_at is None
