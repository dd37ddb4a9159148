"""The append-only audit trail: who did what to which record, when, from where.

Rows are written by :func:`sscard.audit.services.audit_record` only, each chained to the one
before it by a keyed hash (:mod:`sscard.audit.chain`; ``manage.py audit_verify`` checks it).
Updates and deletes are refused by the model and by database triggers, and on PostgreSQL
TRUNCATE too (migration ``0003_hash_chain``). On SQLite a migration that rebuilds this table
drops its triggers: such a migration creates them again (the tests that try raw UPDATE and
DELETE fail otherwise).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet["AuditRecord"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit records cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit records cannot be deleted")


class AuditRecord(models.Model):
    class Result(models.TextChoices):
        OK = "ok", "成功"
        REFUSED = "refused", "被拒绝"
        DENIED = "denied", "无权限"

    # audit_record stamps it (the hash covers it, so it is known before the row is written)
    at = models.DateTimeField("时间", default=timezone.now, editable=False, db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    actor_role = models.CharField("角色", max_length=40, blank=True)
    action = models.CharField("动作", max_length=60, db_index=True)
    target_type = models.CharField("对象类型", max_length=40, blank=True)
    target_id = models.CharField("对象ID", max_length=64, blank=True, db_index=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.OK)
    address = models.CharField("来源地址", max_length=64, blank=True)
    channel = models.CharField("渠道", max_length=16, blank=True)
    request_id = models.CharField("请求ID", max_length=32, blank=True)
    detail = models.JSONField("详情（已脱敏）", default=dict, blank=True)
    seq = models.BigIntegerField("链序号", unique=True)
    prev_hash = models.CharField("前一条的哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit records cannot be deleted")


class AuditChainHead(models.Model):
    """Where the chain ends: the one row (``pk`` 1) every append locks, so that two
    transactions never chain to the same record, and that a chain missing its last records
    shows. A row, not a lookup of the last record, so that the first append has one too."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链末端"
        verbose_name_plural = "审计链末端"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
