from __future__ import annotations

from django.db import models
from django.utils import timezone


class TokenUse(models.Model):
    """A 电子社保卡 code verified once by one verifier (a member of staff, a partner system):
    the same code shown to the same verifier again within its minute is a replay. The unique
    constraint decides between two verifications racing; rows past their code's expiry are
    swept as new ones come."""

    verifier = models.CharField("核验方", max_length=80)
    nonce = models.CharField("随机数", max_length=40)
    card_id = models.BigIntegerField("社保卡")
    used_at = models.DateTimeField("核验时间", default=timezone.now)
    expires_at = models.DateTimeField("二维码到期时间", db_index=True)

    class Meta:
        verbose_name = "电子社保卡核验记录"
        verbose_name_plural = "电子社保卡核验记录"
        constraints = [
            models.UniqueConstraint(fields=["verifier", "nonce"], name="ecard_token_once"),
        ]

    def __str__(self) -> str:
        return f"{self.verifier} {self.used_at:%Y-%m-%d %H:%M:%S}"
