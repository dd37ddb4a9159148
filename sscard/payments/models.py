"""Payments of an application's fee: gateway orders (one per 去支付 attempt), refunds, the
notifications the gateway sent, and the daily reconciliation with its statement. The tables
of the simulated gateway (demo and tests only: :mod:`sscard.payments.simulator`) are here too;
in production nothing writes to them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from sscard.core.money import fen_label
from sscard.payments.constants import DifferenceKind, NoticeOutcome, OrderStatus, RefundStatus


class PaymentOrder(models.Model):
    """One order at the gateway for one application. Its ``out_trade_no`` is ours: the gateway
    answers a repeated creation with the same order, so a retry never makes a second one."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name="办件",
        on_delete=models.PROTECT,
        related_name="payment_orders",
    )
    out_trade_no = models.CharField("商户订单号", max_length=32, unique=True)
    amount_fen = models.PositiveIntegerField("金额（分）")
    status = models.CharField(
        "状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.CREATED
    )
    pay_url = models.URLField("支付页面", max_length=500, blank=True)
    transaction_id = models.CharField("支付机构交易号", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间")
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    queried_at = models.DateTimeField("最近查询时间", null=True, blank=True)

    class Meta:
        verbose_name = "支付订单"
        verbose_name_plural = "支付订单"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # one gateway order per application attempt: a double click finds the first
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status=OrderStatus.CREATED),
                name="one_open_payment_order_per_application",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [("view_payments", "查看缴费、退款与对账")]

    def __str__(self) -> str:
        return f"{self.out_trade_no} {self.amount_label}"

    @property
    def amount_label(self) -> str:
        return fen_label(self.amount_fen)


class Refund(models.Model):
    """A paid order refunded in full (the application refused, withdrawn or closed)."""

    order = models.OneToOneField(
        PaymentOrder, verbose_name="支付订单", on_delete=models.PROTECT, related_name="refund"
    )
    out_refund_no = models.CharField("商户退款单号", max_length=32, unique=True)
    amount_fen = models.PositiveIntegerField("退款金额（分）")
    reason = models.CharField("退款原因", max_length=80)
    status = models.CharField(
        "状态", max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    refund_id = models.CharField("支付机构退款单号", max_length=64, blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    refunded_at = models.DateTimeField("退款时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=200, blank=True)

    class Meta:
        verbose_name = "退款"
        verbose_name_plural = "退款"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.out_refund_no} {fen_label(self.amount_fen)}"

    @property
    def amount_label(self) -> str:
        return fen_label(self.amount_fen)


class PaymentNotice(models.Model):
    """A notification the gateway sent that passed the signature check: a repeat of one
    (the same ``notify_id``) is acknowledged and changes nothing."""

    notify_id = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    out_trade_no = models.CharField(max_length=32, db_index=True)
    event_type = models.CharField(max_length=40)
    outcome = models.CharField(max_length=10, choices=NoticeOutcome.choices)

    class Meta:
        verbose_name = "支付通知"
        verbose_name_plural = "支付通知"
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.notify_id} {self.get_outcome_display()}"


class ReconciliationRun(models.Model):
    """The comparison of one day's orders and refunds with the gateway's statement file
    (``manage.py reconcile_payments``); a second run for the day replaces the first."""

    day = models.DateField("对账日期", unique=True)
    ran_at = models.DateTimeField("对账时间", default=timezone.now)
    ours = models.PositiveIntegerField("本系统笔数", default=0)
    theirs = models.PositiveIntegerField("对账单笔数", default=0)
    error = models.CharField("对账失败原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "对账"
        verbose_name_plural = "对账"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"


class ReconciliationDifference(models.Model):
    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="differences")
    kind = models.CharField("差异类型", max_length=20, choices=DifferenceKind.choices)
    entry = models.CharField("类型", max_length=10)  # SUCCESS or REFUND, the statement's words
    reference = models.CharField("商户订单号/退款单号", max_length=32)
    ours_fen = models.IntegerField("本系统金额（分）", null=True, blank=True)
    theirs_fen = models.IntegerField("对账单金额（分）", null=True, blank=True)

    class Meta:
        verbose_name = "对账差异"
        verbose_name_plural = "对账差异"
        ordering = ["run", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"


# --- the simulated gateway's own books (demo and tests only) ---------------------------------


class SimulatedOrder(models.Model):
    out_trade_no = models.CharField(max_length=32, unique=True)
    pay_token = models.CharField(max_length=40, unique=True)
    description = models.CharField(max_length=80)
    amount_fen = models.PositiveIntegerField()
    notify_url = models.URLField(max_length=500)
    return_url = models.URLField(max_length=500, blank=True)
    state = models.CharField(max_length=10, default="NOTPAY")
    transaction_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    success_time = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "模拟支付订单"
        verbose_name_plural = "模拟支付订单（演示支付网关）"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.out_trade_no} {self.state}"


class SimulatedRefund(models.Model):
    out_refund_no = models.CharField(max_length=32, unique=True)
    out_trade_no = models.CharField(max_length=32)
    refund_id = models.CharField(max_length=64, unique=True)
    amount_fen = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "模拟退款"
        verbose_name_plural = "模拟退款（演示支付网关）"

    def __str__(self) -> str:
        return self.out_refund_no
