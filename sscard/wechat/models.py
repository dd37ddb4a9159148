"""A WeChat identity (openid of the “揭阳人社” official account) bound to one portal account.
The openid is personal data: stored encrypted, found by its keyed hash."""

from __future__ import annotations

from typing import Any

from django.db import models

from sscard.core import crypto
from sscard.core.fields import EncryptedTextField


def openid_hash(openid: str) -> str:
    return crypto.blind_index(openid, purpose="wechat-openid")


class WeChatBinding(models.Model):
    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="wechat_binding",
        verbose_name="账号",
    )
    openid = EncryptedTextField("openid")
    openid_hash = models.CharField(max_length=64, unique=True, editable=False)
    nickname = models.CharField("微信昵称", max_length=64, blank=True)
    avatar_url = models.URLField("头像", max_length=500, blank=True)
    created_at = models.DateTimeField("绑定时间", auto_now_add=True)
    last_login_at = models.DateTimeField("最近微信登录", null=True, blank=True)

    class Meta:
        verbose_name = "微信绑定"
        verbose_name_plural = "微信绑定"

    def __str__(self) -> str:
        return f"{self.nickname or '微信用户'} → {self.user}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.openid_hash = openid_hash(self.openid)
        super().save(*args, **kwargs)
