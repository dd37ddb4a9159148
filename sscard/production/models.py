from __future__ import annotations

from django.db import models
from django.utils import timezone

from sscard.core.fields import EncryptedTextField
from sscard.production.constants import BatchStatus, Delivery, Stage


class Batch(models.Model):
    """制卡批次: the orders of one cooperating bank sent together. The 制卡管理员 creates it
    (待发送), sends it (已发送: every order goes to 数据录入), the partner acknowledges it
    (已接收), and it is done (已完成) when none of its orders is still being made."""

    number = models.CharField("批次号", max_length=20, unique=True)
    bank = models.ForeignKey(
        "regions.Bank", verbose_name="合作银行", on_delete=models.PROTECT, related_name="batches"
    )
    status = models.CharField(
        "批次状态", max_length=12, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name="创建人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("接收时间", null=True, blank=True)
    acknowledged_by = models.CharField("接收方", max_length=80, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "制卡批次"
        verbose_name_plural = "制卡批次"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["bank", "status"])]
        permissions = [
            ("export_batch", "导出制卡批次（含个人信息）"),
            ("import_results", "导入制卡结果文件"),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.get_status_display()}）"


class ProductionOrder(models.Model):
    """One card to be produced by the bank / card factory and delivered to its holder."""

    card = models.OneToOneField(
        "cards.Card", verbose_name="新卡", on_delete=models.PROTECT, related_name="order"
    )
    person = models.ForeignKey(
        "accounts.Person", verbose_name="持卡人", on_delete=models.PROTECT, related_name="orders"
    )
    bank = models.ForeignKey("regions.Bank", verbose_name="合作银行", on_delete=models.PROTECT)
    stage = models.CharField(
        "制卡进度", max_length=10, choices=Stage.choices, default=Stage.APPROVED
    )
    delivery = models.CharField("领卡方式", max_length=10, choices=Delivery.choices)
    outlet = models.ForeignKey(
        "regions.Outlet",
        verbose_name="领卡网点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    mail_address = EncryptedTextField("邮寄地址", blank=True)
    tracking_number = models.CharField("快递单号", max_length=40, blank=True)
    failure_reason = models.CharField("制卡失败原因", max_length=200, blank=True)
    batch = models.ForeignKey(
        Batch,
        verbose_name="当前批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "制卡订单"
        verbose_name_plural = "制卡订单"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["stage", "bank"]),
            models.Index(fields=["stage", "updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(delivery=Delivery.MAIL) | models.Q(outlet__isnull=False),
                name="outlet_delivery_names_outlet",
            ),
        ]

    def __str__(self) -> str:
        return f"制卡订单#{self.pk}（{self.get_stage_display()}）"


class ProductionEvent(models.Model):
    order = models.ForeignKey(ProductionOrder, on_delete=models.PROTECT, related_name="events")
    stage = models.CharField("进度", max_length=10, choices=Stage.choices)
    # when the stage was reached: now for our own actions, the partner's report time otherwise
    at = models.DateTimeField("时间", default=timezone.now)
    place = models.CharField("地点", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=150, blank=True)

    class Meta:
        verbose_name = "制卡进度记录"
        verbose_name_plural = "制卡进度记录"
        ordering = ["order", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.at:%Y-%m-%d %H:%M}"


class ResultImport(models.Model):
    """One result file imported into a batch; the same file (by its SHA-256) is applied once."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="imports")
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    rows = models.PositiveIntegerField("行数")
    changed = models.PositiveIntegerField("更新条数")
    imported_by = models.ForeignKey(
        "accounts.User", verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "制卡结果导入"
        verbose_name_plural = "制卡结果导入"
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "sha256"], name="result_file_imported_once")
        ]

    def __str__(self) -> str:
        return f"{self.batch.number} {self.file_name}"
