from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone

from sscard.cards.constants import LIVE_STATUSES, CardStatus, FinanceStatus
from sscard.core.fields import EncryptedTextField
from sscard.core.masking import mask_bank_account, mask_card_number


class Card(models.Model):
    """A social security card as a long-lived asset. Its 社保应用 state changes only through
    :func:`sscard.cards.services.card_transition`."""

    person = models.ForeignKey(
        "accounts.Person", verbose_name="持卡人", on_delete=models.PROTECT, related_name="cards"
    )
    number = models.CharField("社会保障卡卡号", max_length=9)
    issuing_area = models.CharField("发卡地区代码", max_length=6)
    bank = models.ForeignKey(
        "regions.Bank", verbose_name="合作银行", on_delete=models.PROTECT, related_name="cards"
    )
    status = models.CharField(
        "社保应用状态", max_length=10, choices=CardStatus.choices, default=CardStatus.PRODUCING
    )
    status_before_loss = models.CharField(
        "挂失前状态", max_length=10, choices=CardStatus.choices, blank=True
    )
    loss_expires_at = models.DateTimeField("临时挂失到期时间", null=True, blank=True)
    finance_status = models.CharField(
        "金融应用状态",
        max_length=10,
        choices=FinanceStatus.choices,
        default=FinanceStatus.INACTIVE,
    )
    bank_account = EncryptedTextField("银行账号", blank=True)
    issued_on = models.DateField("发卡日期", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    service_password = models.CharField("社保服务密码（哈希）", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "社保卡"
        verbose_name_plural = "社保卡"
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_area", "number"], name="card_number_unique_in_area"
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=LIVE_STATUSES),
                name="one_live_card_per_person",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status=CardStatus.PRODUCING),
                name="one_card_in_production_per_person",
            ),
        ]
        indexes = [models.Index(fields=["status", "loss_expires_at"])]

    def __str__(self) -> str:
        return f"{self.masked_number}（{self.get_status_display()}）"

    def temporary_loss_ended(self, now: datetime) -> bool:
        """A 临时挂失 past its expiry has ended, whether or not the sweep has written it."""
        return (
            self.status == CardStatus.TEMP_LOST
            and self.loss_expires_at is not None
            and self.loss_expires_at <= now
        )

    @property
    def masked_number(self) -> str:
        return mask_card_number(self.number)

    @property
    def masked_bank_account(self) -> str:
        return mask_bank_account(self.bank_account)


class CardHistory(models.Model):
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="history")
    from_status = models.CharField("原状态", max_length=10, choices=CardStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=CardStatus.choices)
    at = models.DateTimeField("时间", default=timezone.now, editable=False)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "社保卡状态变更"
        verbose_name_plural = "社保卡状态变更"
        ordering = ["card", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
