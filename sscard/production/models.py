from __future__ import annotations

from django.db import models

from sscard.core.fields import EncryptedTextField
from sscard.production.constants import Delivery, Stage


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "制卡订单"
        verbose_name_plural = "制卡订单"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["stage", "bank"])]
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
    at = models.DateTimeField("时间", auto_now_add=True)
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
