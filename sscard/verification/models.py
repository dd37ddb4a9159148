"""One-time codes sent by SMS (proof of possession of a phone)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from sscard.core.fields import EncryptedJSONField, EncryptedTextField
from sscard.core.masking import mask_phone


class Purpose(models.TextChoices):
    REGISTER = "register", "注册账号"
    STEP_UP = "step_up", "验证本人身份"
    NEW_PHONE = "new_phone", "验证新手机号码"
    LOGIN = "login", "登录"


class Challenge(models.Model):
    """A code sent (or, for a registration that matches nobody, pretended to be sent: a
    *decoy*, with no recipient, that no code opens — the page cannot tell the two apart).

    Only a keyed hash of the code is kept. A challenge is valid for five minutes, opens once,
    and is void after five wrong tries. The rows are also the record the sending limits count."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField("用途", max_length=20, choices=Purpose.choices)
    phone = EncryptedTextField("手机号码", blank=True)  # "" for a decoy
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # the phone the person typed, when the code goes to another (the one on file), or the
    # account name typed at a login (services.account_name_hash): the limits the page shows
    # count by it, so that they say nothing about the record
    asked_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    # what the code, once entered, lets happen (a registration's entries), encrypted
    payload = EncryptedJSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()
    failed_tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)  # the right code was entered
    spent_at = models.DateTimeField(null=True, blank=True)  # what it proved has been done

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["client_ip", "created_at"], name="challenge_ip_time")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.masked_phone}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    @property
    def is_decoy(self) -> bool:
        return not self.phone
