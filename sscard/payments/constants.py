from __future__ import annotations

from django.db import models


class OrderStatus(models.TextChoices):
    """Our side of one gateway order (one 去支付 attempt of one application)."""

    CREATED = "created", "待支付"
    PAID = "paid", "已支付"
    CLOSED = "closed", "已关闭"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "退款中"
    SUCCEEDED = "succeeded", "已退款"


class NoticeOutcome(models.TextChoices):
    APPLIED = "applied", "已入账"
    REPEAT = "repeat", "重复通知（未变更）"
    IGNORED = "ignored", "非支付成功通知（未变更）"


class DifferenceKind(models.TextChoices):
    GATEWAY_ONLY = "gateway_only", "支付机构有、本系统无"
    OURS_ONLY = "ours_only", "本系统有、支付机构无"
    AMOUNT = "amount", "金额不一致"


# The gateway's trade states (WeChat Pay's words).
NOTPAY = "NOTPAY"
SUCCESS = "SUCCESS"
CLOSED = "CLOSED"
REFUND = "REFUND"
