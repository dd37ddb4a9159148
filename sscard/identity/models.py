"""Accounts keyed by the identity provider's issuer and subject, and the simulated provider's
one-time authorization codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sscard.core.fields import EncryptedJSONField


class ExternalIdentity(models.Model):
    """A person as a real-name identity provider knows them (``iss`` + ``sub``), linked to the
    account they log in to. Never keyed by ID number alone: the same ``sub`` from another
    issuer is another identity."""

    issuer = models.CharField("认证服务", max_length=255)
    subject = models.CharField("用户标识", max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        on_delete=models.PROTECT,
        related_name="external_identities",
    )
    created_at = models.DateTimeField("绑定时间", auto_now_add=True)
    last_login_at = models.DateTimeField("最近登录", null=True, blank=True)

    class Meta:
        verbose_name = "实名认证身份"
        verbose_name_plural = "实名认证身份"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_account_per_subject"),
            models.UniqueConstraint(fields=["issuer", "user"], name="one_subject_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} · {self.user}"


class SimulatorGrant(models.Model):
    """An authorization code of the simulated provider: stored as a hash, redeemed once. The
    verified claims are kept encrypted until the code is redeemed, then wiped."""

    code_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    redirect_uri = models.CharField(max_length=500)
    code_challenge = models.CharField(max_length=128)
    nonce = models.CharField(max_length=255)
    claims = EncryptedJSONField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "模拟认证授权码"
        verbose_name_plural = "模拟认证授权码"

    def __str__(self) -> str:
        return f"grant #{self.pk}"
