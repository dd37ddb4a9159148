"""What the simulated SMS gateway received (demo and tests only: :mod:`sscard.sms.simulator`).
The table exists everywhere; in production nothing writes to it."""

from __future__ import annotations

from django.db import models

from sscard.core.fields import EncryptedTextField
from sscard.core.masking import mask_phone


class SimulatedSms(models.Model):
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    phone = EncryptedTextField("手机号码")
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    sign = models.CharField("签名", max_length=30)
    template_id = models.CharField("模板ID", max_length=60, blank=True)
    content = models.TextField("内容")
    out_id = models.CharField(max_length=100, unique=True)
    message_id = models.CharField(max_length=40, unique=True)

    class Meta:
        verbose_name = "模拟短信"
        verbose_name_plural = "模拟短信（演示短信收件箱）"
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.masked_phone} {self.content[:20]}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
