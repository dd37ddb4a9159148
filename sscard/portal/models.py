"""What the portal keeps between the steps of an item: the draft (草稿) of an application,
from the item's page to its confirmation. A draft holds the applicant's entries encrypted,
and its uploads under generated names; it is removed once submitted."""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse

from sscard.applications.constants import ItemCode
from sscard.core.fields import EncryptedJSONField


class Draft(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="drafts", verbose_name="申报人"
    )
    item = models.CharField("服务事项", max_length=10, choices=ItemCode.choices)
    subject = models.ForeignKey(
        "accounts.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="办理对象",
    )
    card = models.ForeignKey(
        "cards.Card",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="社保卡",
    )
    data = EncryptedJSONField("填报信息（加密）", default=dict)
    # material kind -> {"name": storage name, "content_type": ..., "size": ...}
    files = models.JSONField("已上传材料", default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "草稿"
        verbose_name_plural = "草稿"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.get_item_display()}（草稿）"

    @property
    def continue_url(self) -> str:
        """The item's page, filled in from this draft (我的办件 → 继续办理)."""
        page = reverse(
            "portal:item",
            args=[self.data.get("_bundle", "sscard"), self.item, self.data.get("_target", "")],
        )
        return f"{page}?draft={self.pk}"
