"""Writes of 网点预约: a holder books a half hour (领卡 of their card waiting at its outlet, or a
matter done at a counter), moves or cancels it up to the day before; the outlet's clerk marks
them 已到 or 未到. Each write is atomic and audited.

Capacity is never oversold: every booking into an outlet's slots first locks the outlet's row,
so the count of a half hour's bookings and the new one are one step per outlet. A person's
bookings are serialized on their person row: a double click books once."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sscard.accounts.models import Person, User
from sscard.accounts.services import require_role
from sscard.appointments.constants import (
    APPOINTMENT_TRANSITIONS,
    HOLDING,
    VISIT_PURPOSES,
    AppointmentStatus,
    Purpose,
)
from sscard.appointments.models import Appointment, OpeningPeriod, slot_label
from sscard.appointments.selectors import (
    acts_for,
    booking_pause,
    guardianship_claimed,
    hours_text,
    live_booking,
    slot_capacities,
    slot_start,
)
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError, InvalidTransition, NotFound
from sscard.production.constants import Delivery, Stage
from sscard.production.models import ProductionOrder
from sscard.regions.models import Outlet
from sscard.regions.selectors import region_settings, work_calendar

SLOT_PAST = "该时段已过，请选择其他时段"
SLOT_FULL = "该时段已约满，请选择其他时段"
SLOT_CLOSED = "该时段不在网点营业时间内，请选择其他时段"
DAY_CLOSED = "该日为法定节假日或休息日，网点不办理预约业务，请选择工作日"
DAY_PAST = "不能预约已过去的日期，请选择其他日期"
SAME_DAY = "预约当天不能改约或取消。如不能按时前往，请直接联系网点"
NOT_OWN_CARD = "只能预约领取本人或由您监护的未成年人的社保卡"
NOT_IN_FORCE = (
    "您与该社保卡持卡人的监护关系尚未审核确认或已不在有效期内，不能代为预约领卡；"
    "持卡人可本人预约，或直接前往网点办理"
)
NOT_AT_OUTLET = "该社保卡尚未到达领卡网点，网点签收后方可预约领卡"


def _check_slot(
    *, outlet: Outlet, day: date, starts: time, now: datetime, exclude: int | None = None
) -> None:
    """Refuse a half hour that is past, beyond the region's days, on a day the outlet does not
    open, outside its hours, or full. Call it holding the outlet's lock."""
    today = timezone.localdate(now)
    if day < today:
        raise DomainError(DAY_PAST, field="day", code="past")
    ahead = region_settings().appointment_days_ahead
    if day > today + timedelta(days=ahead):
        raise DomainError(f"只能预约{ahead}天内的时段，请选择其他日期", field="day", code="too_far")
    calendar = work_calendar(start=day, end=day)
    if not calendar.is_workday(day):
        raise DomainError(DAY_CLOSED, field="day", code="closed_day")
    capacity = slot_capacities(outlet, day, calendar=calendar).get(starts)
    if capacity is None:
        raise DomainError(SLOT_CLOSED, field="slot", code="closed_slot")
    if slot_start(day, starts) <= now:
        raise DomainError(SLOT_PAST, field="slot", code="past")
    taken = Appointment.objects.filter(outlet=outlet, day=day, starts=starts, status__in=HOLDING)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.count() >= capacity:
        raise DomainError(SLOT_FULL, field="slot", code="full")


def _lock_outlet(outlet: Outlet) -> Outlet:
    return Outlet.objects.select_for_update().get(pk=outlet.pk)


def appointment_book(
    *,
    user: User,
    purpose: str,
    day: date,
    starts: time,
    order: ProductionOrder | None = None,
    outlet: Outlet | None = None,
    submission_key: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Appointment:
    """预约: ``user`` books a half hour — 领卡 of the ``order`` waiting at its outlet, their
    own card or that of a minor in their confirmed care (the booking is then the ward's,
    ``booked_by`` the guardian), or a matter done at a counter at the ``outlet`` they chose,
    for themselves. The same ``submission_key`` (the booking form's) books once: a second
    click gets the first booking."""
    now = now or timezone.now()
    if order is not None and order.person_id != user.person_id:
        holder = Person.objects.get(pk=order.person_id)
        if not acts_for(user, holder, today=timezone.localdate(now)):
            claimed = guardianship_claimed(user, holder)
            # audited outside the booking's transaction, so that the refusal stays on record
            audit_record(
                actor=user,
                action="appointment.book",
                target=order,
                result=AuditRecord.Result.REFUSED,
                detail={"reason": "guardianship_not_in_force" if claimed else "not_own_card"},
                at=now,
            )
            if claimed:
                raise DomainError(NOT_IN_FORCE, field="order", code="guardianship_not_in_force")
            raise DomainError(NOT_OWN_CARD, field="order", code="not_own_card")
    return _book(
        user=user,
        purpose=purpose,
        day=day,
        starts=starts,
        order=order,
        outlet=outlet,
        submission_key=submission_key,
        now=now,
    )


@transaction.atomic
def _book(
    *,
    user: User,
    purpose: str,
    day: date,
    starts: time,
    order: ProductionOrder | None,
    outlet: Outlet | None,
    submission_key: uuid.UUID | None,
    now: datetime,
) -> Appointment:
    if user.person_id is None:
        raise DomainError("请先完成实名认证后再预约", code="no_person")
    # whose booking it is: the card's holder for 领卡 (the user or their ward), else the user
    whose = order.person_id if purpose == Purpose.COLLECT and order is not None else user.person_id
    # one person's bookings one at a time: the checks below hold until this one commits
    person = Person.objects.select_for_update().get(pk=whose)
    if submission_key is not None:
        done = Appointment.objects.filter(submission_key=submission_key, booked_by=user).first()
        if done is not None:
            return done
    if purpose == Purpose.COLLECT:
        outlet = _collect_outlet(order, person)
    elif purpose in VISIT_PURPOSES:
        order = None
        if outlet is None or not outlet.active:
            raise DomainError("请选择办理网点", field="outlet", code="no_outlet")
    else:
        raise DomainError("请选择预约事项", field="purpose", code="no_purpose")
    today = timezone.localdate(now)
    pause = booking_pause(person, today=today)
    if pause is not None:
        raise DomainError(pause.message, field="slot", code="paused")
    live = live_booking(person, purpose, today=today)
    if live is not None:
        booked = "您已" if person.pk == user.person_id else f"{person.masked_name}已"
        raise DomainError(
            f"{booked}预约{live.day:%m月%d日} {live.slot_label}到{live.outlet.name}"
            f"办理{live.get_purpose_display()}；如需改期，请在“我的办件”中改约",
            field="slot",
            code="already_booked",
        )
    outlet = _lock_outlet(outlet)
    _check_slot(outlet=outlet, day=day, starts=starts, now=now)
    appointment = Appointment.objects.create(
        person=person,
        booked_by=user,
        purpose=purpose,
        order=order,
        outlet=outlet,
        day=day,
        starts=starts,
        submission_key=submission_key,
        created_at=now,
        updated_at=now,
    )
    audit_record(
        actor=user,
        action="appointment.book",
        target=appointment,
        detail={"purpose": purpose, "outlet": outlet.code, "slot": _slot_text(day, starts)},
        at=now,
    )
    return appointment


def _collect_outlet(order: ProductionOrder | None, person: Person) -> Outlet:
    """The outlet holding the person's card: only their own card, signed in at its outlet."""
    if order is None:
        raise DomainError("请选择要领取的社保卡", field="order", code="no_order")
    order = ProductionOrder.objects.select_related("outlet").get(pk=order.pk)
    if order.person_id != person.pk:
        raise DomainError(NOT_OWN_CARD, field="order", code="not_own_card")
    if order.delivery != Delivery.OUTLET or order.stage != Stage.OUTLET or order.outlet is None:
        raise DomainError(NOT_AT_OUTLET, field="order", code="not_at_outlet")
    return order.outlet


def _slot_text(day: date, starts: time) -> str:
    return f"{day:%Y-%m-%d} {slot_label(starts)}"


def _own(appointment_pk: int, user: User, now: datetime) -> Appointment:
    """The booking, locked, if it is the user's own or a minor's in their confirmed care."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("outlet", "order", "person")
        .filter(pk=appointment_pk)
        .first()
    )
    if appointment is None or not acts_for(user, appointment.person, today=timezone.localdate(now)):
        raise NotFound("未找到该预约")
    return appointment


def _before_the_day(appointment: Appointment, now: datetime) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise InvalidTransition(
            f"该预约当前为“{appointment.get_status_display()}”，不能再改约或取消"
        )
    if timezone.localdate(now) >= appointment.day:
        raise DomainError(SAME_DAY, field="day", code="same_day")


def _transition(appointment: Appointment, to: str, now: datetime) -> None:
    if to not in APPOINTMENT_TRANSITIONS[appointment.status]:
        raise InvalidTransition(f"该预约当前为“{appointment.get_status_display()}”，不能再更改")
    appointment.status = to
    appointment.updated_at = now


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    user: User,
    day: date,
    starts: time,
    now: datetime | None = None,
) -> Appointment:
    """改约: the holder moves their booking to another half hour at the same outlet, up to the
    day before the one booked."""
    now = now or timezone.now()
    appointment = _own(appointment.pk, user, now)
    _before_the_day(appointment, now)
    if appointment.purpose == Purpose.COLLECT and (
        appointment.order is None or appointment.order.stage != Stage.OUTLET
    ):
        raise DomainError("该社保卡已领取或不在网点，无需改约", code="not_at_outlet")
    before = _slot_text(appointment.day, appointment.starts)
    _lock_outlet(appointment.outlet)
    _check_slot(outlet=appointment.outlet, day=day, starts=starts, now=now, exclude=appointment.pk)
    appointment.day, appointment.starts, appointment.updated_at = day, starts, now
    appointment.save(update_fields=["day", "starts", "updated_at"])
    audit_record(
        actor=user,
        action="appointment.reschedule",
        target=appointment,
        detail={"from": before, "to": _slot_text(day, starts)},
        at=now,
    )
    return appointment


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, user: User, now: datetime | None = None
) -> Appointment:
    """取消预约: up to the day before the one booked; the half hour is free again."""
    now = now or timezone.now()
    appointment = _own(appointment.pk, user, now)
    _before_the_day(appointment, now)
    _transition(appointment, AppointmentStatus.CANCELLED, now)
    appointment.save(update_fields=["status", "updated_at"])
    audit_record(actor=user, action="appointment.cancel", target=appointment, at=now)
    return appointment


@transaction.atomic
def appointment_mark(
    *, appointment: Appointment, clerk: User, arrived: bool, now: datetime | None = None
) -> Appointment:
    """The outlet's clerk marks a booking 已到 (on its day; a 领卡 then goes on to the
    handover) or 未到 (on its day or after). Three 未到 within the region's days pause the
    holder's online booking."""
    require_role(clerk, User.Role.CLERK)
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("order")
        .filter(pk=appointment.pk)
        .first()
        or appointment
    )
    if clerk.outlet_id != appointment.outlet_id:
        raise DomainError("该预约不在本网点", code="wrong_outlet")
    today = timezone.localdate(now)
    if arrived and appointment.day != today:
        raise DomainError("只能确认当天预约的到达", code="not_today")
    if not arrived and appointment.day > today:
        raise DomainError("预约日期未到，不能标记未到", code="not_yet")
    if not arrived and appointment.order is not None and appointment.order.stage == Stage.COLLECTED:
        # the card was handed over (the holder came without the booking being marked)
        raise DomainError("该社保卡已领取，持卡人已到，不能标记未到", code="collected")
    to = AppointmentStatus.ARRIVED if arrived else AppointmentStatus.NO_SHOW
    _transition(appointment, to, now)
    appointment.marked_at, appointment.marked_by = now, clerk
    appointment.save(update_fields=["status", "updated_at", "marked_at", "marked_by"])
    audit_record(
        actor=clerk,
        action="appointment.arrived" if arrived else "appointment.no_show",
        target=appointment,
        at=now,
    )
    return appointment


# the hours most outlets keep: mornings and afternoons, Monday to Friday
STANDARD_PERIODS = ((time(8, 30), time(12, 0)), (time(14, 30), time(17, 30)))


@transaction.atomic
def outlet_hours_set(
    *,
    outlet: Outlet,
    actor: User | None,
    periods: tuple[tuple[time, time], ...] = STANDARD_PERIODS,
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4),
    capacity: int = 4,
) -> Outlet:
    """Give ``outlet`` the same ``periods`` on each of ``weekdays``, ``capacity`` bookings a
    half hour (what the demo and a new outlet start from; the admin edits single periods), and
    write its opening-hours text (notices quote it) from them."""
    outlet = _lock_outlet(outlet)
    OpeningPeriod.objects.filter(outlet=outlet).delete()
    OpeningPeriod.objects.bulk_create(
        OpeningPeriod(outlet=outlet, weekday=w, opens=o, closes=c, capacity=capacity)
        for w in weekdays
        for o, c in periods
    )
    outlet.opening_hours = hours_text(outlet)[:100]
    outlet.save(update_fields=["opening_hours"])
    audit_record(
        actor=actor,
        action="outlet.hours",
        target=outlet,
        detail={"hours": outlet.opening_hours, "capacity": capacity},
    )
    return outlet
