"""网点预约: what a holder books a visit for, the states of a booking, and the slot length."""

from __future__ import annotations

from django.db import models

# the outlets' slots are half hours: capacity is set per half hour
SLOT_MINUTES = 30


class Purpose(models.TextChoices):
    """What the visit is for. 领卡 is booked for one card waiting at its outlet (网点签收);
    the others are matters done only at a counter, booked at any open outlet."""

    COLLECT = "collect", "领卡"
    FORMAL_LOSS = "formal_loss", "正式挂失（柜台办理）"
    CHANGE_RECORDS = "change_records", "姓名、证件号码等信息变更（柜台办理）"


# the matters booked at an outlet of the holder's choosing
VISIT_PURPOSES = (Purpose.FORMAL_LOSS, Purpose.CHANGE_RECORDS)


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    CANCELLED = "cancelled", "已取消"
    ARRIVED = "arrived", "已到"
    NO_SHOW = "no_show", "未到"


# A booking's lifecycle: the holder cancels it (up to the day before), the clerk marks it.
APPOINTMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AppointmentStatus.BOOKED: frozenset(
        {AppointmentStatus.CANCELLED, AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW}
    ),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.ARRIVED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}

# the bookings that hold a place in their slot (a cancelled one gives it back)
HOLDING = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.NO_SHOW)

WEEKDAYS = [
    (0, "周一"),
    (1, "周二"),
    (2, "周三"),
    (3, "周四"),
    (4, "周五"),
    (5, "周六"),
    (6, "周日"),
]
WEEKDAY_LABELS = dict(WEEKDAYS)
