from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from sscard.applications.constants import (
    CARD_ITEMS,
    OPEN_STATUSES,
    QUEUE_STATUSES,
    AppStatus,
    ItemCode,
    MaterialKind,
    SlaState,
)
from sscard.core.fields import EncryptedJSONField
from sscard.core.money import fen_label
from sscard.photos.check import PhotoReport


class Application(models.Model):
    """A 办件: one item of a bundle applied for by one account for one person. Its status
    changes only through :func:`sscard.applications.services.application_transition`."""

    receipt_number = models.CharField("受理编号", max_length=24, unique=True)
    bundle = models.CharField("一件事", max_length=20, default="sscard")
    item = models.CharField("服务事项", max_length=10, choices=ItemCode.choices)
    applicant = models.ForeignKey(
        "accounts.User",
        verbose_name="申报人",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    subject = models.ForeignKey(
        "accounts.Person",
        verbose_name="办理对象",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    relation = models.CharField("申报人身份", max_length=10, default="self")
    card = models.ForeignKey(
        "cards.Card",
        verbose_name="社保卡",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    production_order = models.OneToOneField(
        "production.ProductionOrder",
        verbose_name="制卡订单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
    )
    form_data = EncryptedJSONField("填报信息（加密）", default=dict)
    status = models.CharField(
        "状态", max_length=10, choices=AppStatus.choices, default=AppStatus.SUBMITTED
    )
    fee_fen = models.PositiveIntegerField("应缴费用（分）", default=0)
    submission_key = models.UUIDField("提交标识", default=uuid.uuid4, editable=False)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now, editable=False)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    due_on = models.DateField("法定办结日期", null=True, blank=True, db_index=True)
    paused_since = models.DateField("补正暂停自", null=True, blank=True)
    paused_days = models.PositiveIntegerField("已暂停工作日", default=0)
    reviewer = models.ForeignKey(
        "accounts.User",
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_applications",
    )
    staff_note = models.CharField("退回/不予通过原因", max_length=300, blank=True)
    reason_code = models.CharField("原因类别", max_length=20, blank=True, db_index=True)
    outlet = models.ForeignKey(
        "regions.Outlet",
        verbose_name="领卡网点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    sla_state = models.CharField(
        "时限状态", max_length=10, choices=SlaState.choices, default=SlaState.ON_TIME, blank=True
    )
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(item__in=CARD_ITEMS, status__in=OPEN_STATUSES),
                name="one_open_card_application_per_person",
            ),
            models.UniqueConstraint(
                fields=["applicant", "submission_key"], name="one_application_per_submission"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            # the review queue's order (sscard.applications.review.review_queue): its first
            # page is read straight off this index instead of sorting every open request
            models.Index(
                fields=["due_on", "submitted_at", "id"],
                name="application_review_queue",
                condition=models.Q(
                    item__in=CARD_ITEMS,
                    status__in=QUEUE_STATUSES,
                ),
            ),
            # its filters (status, district's outlets, item): the filtered page's count
            # is read off this index alone
            models.Index(
                fields=["status", "outlet", "item"],
                name="application_queue_filters",
                condition=models.Q(item__in=CARD_ITEMS, status__in=QUEUE_STATUSES),
            ),
        ]
        permissions = [
            ("review_application", "审核办件（受理、审核通过、退回补正、不予受理）"),
            ("reveal_personal_data", "显示完整信息（留痕）"),
            ("counter_service", "窗口代办"),
            ("outlet_work", "网点签收与发卡"),
            ("view_dashboard", "查看统计看板"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.get_item_display()}"

    @property
    def fee_label(self) -> str:
        """The fee as the screens show it: “免费” or “¥20.00”."""
        return fen_label(self.fee_fen)


class ApplicationEvent(models.Model):
    """The application's timeline, as the applicant and the staff see it."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField("时间", default=timezone.now, editable=False)
    action = models.CharField("动作", max_length=30)
    from_status = models.CharField("原状态", max_length=10, choices=AppStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=AppStatus.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "办件记录"
        verbose_name_plural = "办件记录"
        ordering = ["application", "at", "id"]
        indexes = [
            # what a staff member had a hand in (the queue's 本人经办 mark, for a page of rows in
            # one subquery): found by the actor, not by reading every event (a 1,000,000-people
            # queue page went from 77 ms to under 1 ms)
            models.Index(fields=["actor_id", "application"], name="application_event_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


MATERIAL_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


def material_path(instance: Material, filename: str) -> str:
    """Uploads are stored under a generated, unguessable name: the client's file name is never
    used (the extension follows the type found in the content)."""
    extension = MATERIAL_EXTENSIONS.get(instance.content_type, "")
    return f"materials/{instance.kind}/{uuid.uuid4().hex}{extension}"


class Material(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="materials", null=True, blank=True
    )
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="materials"
    )
    kind = models.CharField("材料类型", max_length=20, choices=MaterialKind.choices)
    file = models.FileField("文件", upload_to=material_path)
    content_type = models.CharField("文件类型", max_length=60, blank=True)
    size = models.PositiveIntegerField("文件大小（字节）", default=0)
    # For a photo: the automatic check of the stored photo (sscard.photos.check.PhotoReport as
    # JSON) and, when the photo was fixed automatically, the check of the upload as it came.
    photo_check = models.JSONField("照片检测结果", default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # set when the file was deleted at the end of its keeping period (the row stays, so the
    # application's page says what there was and when it went)
    removed_at = models.DateTimeField("保存期满删除时间", null=True, blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def photo_report(self) -> PhotoReport | None:
        """The check of the stored photo, for the screens (``photos/_report.html``)."""
        if not self.photo_check:
            return None
        return PhotoReport.from_dict(self.photo_check)

    @property
    def photo_original_report(self) -> PhotoReport | None:
        """When the photo was fixed automatically: the check of the photo as uploaded."""
        original = self.photo_check.get("original") if self.photo_check else None
        return PhotoReport.from_dict(original) if original else None

    @property
    def photo_fixed(self) -> bool:
        return bool(self.photo_check and self.photo_check.get("fixed"))
