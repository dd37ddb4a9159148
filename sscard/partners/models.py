"""The machine clients of the cooperating banks and card factories: their credentials, the
nonces they have used and the answers to their idempotent writes."""

from __future__ import annotations

from django.db import models

from sscard.core.fields import EncryptedTextField
from sscard.production.constants import Reporter


class Partner(models.Model):
    """One client system. It works on the batches of its ``bank`` only; its secret signs
    every request (HMAC-SHA256) and is kept encrypted, since verifying needs it."""

    # what the partner may report is production's rule, by its kind (REPORTER_STAGES)
    Kind = Reporter

    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    bank = models.ForeignKey(
        "regions.Bank",
        verbose_name="服务的合作银行",
        on_delete=models.PROTECT,
        related_name="partners",
    )
    key_id = models.CharField("接入标识（Key ID）", max_length=40, unique=True)
    secret = EncryptedTextField("签名密钥")
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    secret_rotated_at = models.DateTimeField("密钥更换时间", null=True, blank=True)

    class Meta:
        verbose_name = "合作方接入"
        verbose_name_plural = "合作方接入"
        ordering = ["bank", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def label(self) -> str:
        """How timelines and the audit trail name the partner."""
        return f"{self.get_kind_display()}：{self.name}"


class Nonce(models.Model):
    """A nonce a partner has signed a request with; the same one again is a replay."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=64)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "value"], name="nonce_used_once")]

    def __str__(self) -> str:
        return f"nonce {self.seen_at:%Y-%m-%d %H:%M:%S}"


class IdempotencyRecord(models.Model):
    """The first answer to a write with a given ``Idempotency-Key``: a retry with the same
    body gets it again; another body, or a retry while the first is still running, is
    refused."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    done = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"Idempotency-Key {self.key}"
