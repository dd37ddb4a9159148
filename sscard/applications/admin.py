from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from sscard.applications.models import Application, ApplicationEvent, Material
from sscard.applications.selectors import application_deadline
from sscard.applications.services import application_accept, application_approve
from sscard.core.admin import HistoryInline, ServiceWrittenAdmin
from sscard.core.errors import DomainError
from sscard.core.masking import mask_address, mask_id_number, mask_name, mask_phone
from sscard.core.workdays import Deadline
from sscard.regions.admin import CalendarWarningMixin
from sscard.regions.selectors import region_settings, work_calendar

FORM_MASKS: dict[str, Callable[[str], str]] = {
    "doc_number": mask_id_number,
    "name": mask_name,
    "phone": mask_phone,
    "address": mask_address,
    "mail_address": mask_address,
}


class ApplicationEventInline(HistoryInline):
    model = ApplicationEvent
    fields = ("at", "action", "from_status", "to_status", "actor_label", "note")


class MaterialInline(HistoryInline):
    model = Material
    fields = ("kind", "content_type", "size", "photo_verdict", "open_file", "created_at")

    @admin.display(description="照片检测")
    def photo_verdict(self, material: Material) -> str:
        report = material.photo_report
        if report is None:
            return "—"
        if not report.ok:
            return "不合格：" + "；".join(report.messages)
        return "合格（已自动修正）" if material.photo_fixed else "合格"

    @admin.display(description="文件")
    def open_file(self, material: Material) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">查看</a>',
            reverse("files:material", args=[material.pk]),
        )


def countdown_text(deadline: Deadline | None) -> str:
    if deadline is None:
        return "—"
    if deadline.paused:
        return "补正中，暂停计时"
    if deadline.overdue:
        return f"已超期 {-(deadline.remaining or 0)} 个工作日"
    flag = "（预警）" if deadline.warning else ""
    return f"剩余 {deadline.remaining} 个工作日{flag}"


@admin.register(Application)
class ApplicationAdmin(CalendarWarningMixin, ServiceWrittenAdmin):
    """Read-only: staff steps go through the services (two of them as actions here)."""

    list_display = (
        "receipt_number",
        "item",
        "subject",
        "relation",
        "status",
        "submitted_at",
        "due_on",
        "countdown",
    )
    list_filter = ("item", "status", "relation")
    search_fields = ("receipt_number",)
    date_hierarchy = "submitted_at"
    fields = (
        "receipt_number",
        "bundle",
        "item",
        "applicant",
        "subject",
        "relation",
        "card",
        "production_order",
        "masked_form",
        "status",
        "fee_fen",
        "submitted_at",
        "accepted_at",
        "decided_at",
        "completed_at",
        "due_on",
        "countdown",
        "paused_since",
        "paused_days",
        "reviewer",
        "staff_note",
    )
    readonly_fields = fields
    inlines = [ApplicationEventInline, MaterialInline]
    list_select_related = ("subject",)
    actions = ["accept", "approve"]

    @admin.display(description="填报信息（已脱敏）")
    def masked_form(self, obj: Application) -> str:
        return "；".join(
            f"{key}: {FORM_MASKS.get(key, str)(str(value))}" for key, value in obj.form_data.items()
        )

    def get_list_display(self, request: HttpRequest) -> tuple[Any, ...]:
        """The countdown column shares one calendar and one settings row across the page."""
        region, calendar, today = region_settings(), work_calendar(), timezone.localdate()

        @admin.display(description="剩余时限")
        def countdown(obj: Application) -> str:
            return countdown_text(
                application_deadline(obj, today=today, region=region, calendar=calendar)
            )

        return (*self.list_display[:-1], countdown)

    @admin.display(description="剩余时限")
    def countdown(self, obj: Application) -> str:
        return countdown_text(application_deadline(obj, today=timezone.localdate()))

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Application],
        step: Callable[..., Application],
        label: str,
    ) -> None:
        done = 0
        for application in queryset:
            try:
                step(application=application, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(
                    request, f"{application.receipt_number}：{exc.message}", messages.WARNING
                )
        self.message_user(request, f"已{label} {done} 件")

    @admin.action(description="受理所选办件", permissions=["change"])
    def accept(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        self._each(request, queryset, application_accept, "受理")

    @admin.action(description="审核通过所选办件", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        self._each(request, queryset, application_approve, "审核通过")
