"""Employer accounts beyond the first (经办人 logins) and bulk card applications (单位批量申领):
an uploaded XLSX + photo ZIP becomes a :class:`Batch` of :class:`BatchRow` s, validated in the
background, previewed, then submitted all at once or not at all."""

from __future__ import annotations

import uuid

from django.db import models

from sscard.accounts.models import Employer, User
from sscard.core.fields import EncryptedJSONField


class EmployerClerk(models.Model):
    """A login of an employer. The account that registered the employer is its manager
    (管理员); a manager adds the other clerks. An employer account without a row here (one
    created by staff or the demo) counts as a manager."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="employer_clerk")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="clerks")
    manager = models.BooleanField("管理员", default=False)
    added_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "单位经办人"
        verbose_name_plural = "单位经办人"

    def __str__(self) -> str:
        return f"{self.employer} · {self.user.username}"


class Batch(models.Model):
    class Status(models.TextChoices):
        VALIDATING = "validating", "正在校验"
        READY = "ready", "待确认提交"
        SUBMITTING = "submitting", "正在提交"
        SUBMITTED = "submitted", "已提交"
        FAILED = "failed", "处理失败"
        CANCELLED = "cancelled", "已放弃"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="batches")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_hash = models.CharField("文件摘要", max_length=64)
    workbook_file = models.CharField(max_length=200)
    photos_file = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.VALIDATING
    )
    row_count = models.PositiveIntegerField("总行数", default=0)
    checked_count = models.PositiveIntegerField("已校验", default=0)
    good_count = models.PositiveIntegerField("可提交", default=0)
    bad_count = models.PositiveIntegerField("有误", default=0)
    submitted_count = models.PositiveIntegerField("已提交", default=0)
    notice = models.CharField("处理说明", max_length=300, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # when the uploaded files (table, photo ZIP, checked photos) were deleted for good
    files_removed_at = models.DateTimeField("上传文件删除时间", null=True, blank=True)

    class Meta:
        verbose_name = "批量申领批次"
        verbose_name_plural = "批量申领批次"
        ordering = ["-created_at"]
        constraints = [
            # the same file uploaded twice by one employer is one batch (unless given up)
            models.UniqueConstraint(
                fields=["employer", "file_hash"],
                condition=~models.Q(status__in=["failed", "cancelled"]),
                name="one_live_batch_per_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.SUBMITTING)


# A batch's lifecycle: checked in the background, then either confirmed and submitted (a row
# refused at the last moment sends it back to 待确认提交, nothing submitted) or given up, by the
# employer or, left waiting too long, by the keeping-period sweep. Only
# ``employer_batch_transition`` moves a batch along it.
EMPLOYER_BATCH_TRANSITIONS: dict[str, frozenset[str]] = {
    Batch.Status.VALIDATING: frozenset({Batch.Status.READY, Batch.Status.FAILED}),
    Batch.Status.READY: frozenset({Batch.Status.SUBMITTING, Batch.Status.CANCELLED}),
    Batch.Status.SUBMITTING: frozenset({Batch.Status.SUBMITTED, Batch.Status.READY}),
    Batch.Status.FAILED: frozenset({Batch.Status.CANCELLED}),
    Batch.Status.SUBMITTED: frozenset(),
    Batch.Status.CANCELLED: frozenset(),
}


class BatchRow(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField("行号")
    values = EncryptedJSONField("原始内容（加密）", default=dict)
    data = EncryptedJSONField("申领信息（加密）", default=dict)
    identity_hash = models.CharField(max_length=64, blank=True, db_index=True)
    masked_name = models.CharField(max_length=60, blank=True)
    masked_doc = models.CharField(max_length=40, blank=True)
    ok = models.BooleanField(default=False)
    error = models.TextField("错误原因", blank=True)
    photo_file = models.CharField(max_length=200, blank=True)
    photo_check = models.JSONField(default=dict, blank=True)
    photo_fixed = models.BooleanField(default=False)
    submission_key = models.UUIDField(default=uuid.uuid4, editable=False)
    application = models.OneToOneField(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batch_row",
    )

    class Meta:
        ordering = ["line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="one_row_per_line"),
        ]

    def __str__(self) -> str:
        return f"第{self.line}行"
