"""An outlet's opening periods (per weekday, with the bookings a half hour takes) and the
holders' bookings."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from sscard.appointments.constants import (
    SLOT_MINUTES,
    WEEKDAY_LABELS,
    WEEKDAYS,
    AppointmentStatus,
    Purpose,
)


def new_code() -> str:
    """The booking's code: what its QR carries and the clerk looks up (unguessable)."""
    return secrets.token_hex(8).upper()


class OpeningPeriod(models.Model):
    """One period an outlet is open on a weekday (a morning, an afternoon), split into half
    hours each taking ``capacity`` bookings. The outlet is open on working days only (the
    official calendar and the administrator's holiday table); a weekend made a working day
    (调休) keeps Monday's hours."""

    outlet = models.ForeignKey(
        "regions.Outlet",
        verbose_name="网点",
        on_delete=models.CASCADE,
        related_name="opening_periods",
    )
    weekday = models.PositiveSmallIntegerField("星期", choices=WEEKDAYS)
    opens = models.TimeField("开始时间", help_text="整点或半点，如 08:30")
    closes = models.TimeField("结束时间", help_text="整点或半点，如 12:00")
    capacity = models.PositiveSmallIntegerField(
        "每半小时可预约人数",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )

    class Meta:
        verbose_name = "网点营业时段"
        verbose_name_plural = "网点营业时段"
        ordering = ["outlet", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="period_closes_after_opens"
            ),
            models.UniqueConstraint(
                fields=["outlet", "weekday", "opens"], name="one_period_per_start"
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.opens:%H:%M}-{self.closes:%H:%M}"
        return f"{self.outlet} {WEEKDAY_LABELS[self.weekday]} {hours}"

    def clean(self) -> None:
        for name in ("opens", "closes"):
            value = getattr(self, name)
            if value is not None and (value.minute % SLOT_MINUTES or value.second):
                raise ValidationError({name: "请填写整点或半点"})


class Appointment(models.Model):
    """A holder's booking of one half hour at an outlet."""

    code = models.CharField("预约码", max_length=16, unique=True, default=new_code, editable=False)
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name="预约人",
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    booked_by = models.ForeignKey(
        "accounts.User", verbose_name="预约账号", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField("预约事项", max_length=16, choices=Purpose.choices)
    order = models.ForeignKey(
        "production.ProductionOrder",
        verbose_name="领取的社保卡",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    outlet = models.ForeignKey(
        "regions.Outlet", verbose_name="网点", on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField("预约日期")
    starts = models.TimeField("预约时段")
    status = models.CharField(
        "状态",
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    # the booking form's one-time key: a second click of 预约 finds the first one's booking
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField("预约时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    marked_at = models.DateTimeField("确认时间", null=True, blank=True)
    marked_by = models.ForeignKey(
        "accounts.User",
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "网点预约"
        verbose_name_plural = "网点预约"
        ordering = ["day", "starts", "pk"]
        indexes = [
            models.Index(fields=["outlet", "day", "starts"]),
            models.Index(fields=["person", "status", "day"]),
            models.Index(fields=["status", "day"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(purpose=Purpose.COLLECT) | models.Q(order__isnull=False),
                name="collect_names_its_card",
            ),
        ]

    def __str__(self) -> str:
        status = self.get_status_display()
        return f"{self.get_purpose_display()} {self.day} {self.starts:%H:%M}（{status}）"

    @property
    def slot_label(self) -> str:
        return slot_label(self.starts)


def slot_label(starts: time) -> str:
    """“09:00-09:30”."""
    start = datetime.combine(date(2000, 1, 1), starts)
    return f"{start:%H:%M}-{start + timedelta(minutes=SLOT_MINUTES):%H:%M}"
