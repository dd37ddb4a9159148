"""网点预约: a holder books a half hour to collect their card or for a matter done at a
counter; every refusal says what is wrong next to the field it concerns."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

import pytest
import time_machine
from django.core.exceptions import ValidationError

from sscard.accounts.models import User
from sscard.appointments import services
from sscard.appointments.constants import AppointmentStatus, Purpose
from sscard.appointments.models import Appointment, OpeningPeriod
from sscard.appointments.selectors import booking_pause, day_slots, hours_text
from sscard.appointments.tests.conftest import LOCAL
from sscard.audit.models import AuditRecord
from sscard.core.errors import DomainError
from sscard.regions.models import HolidayOverride
from sscard.testing.factories import (
    OutletFactory,
    ProductionOrderFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 9, 29)
NINE = time(9, 0)


def book(user, order, day=TUESDAY, starts=NINE, **kwargs):
    return services.appointment_book(
        user=user, purpose=Purpose.COLLECT, order=order, day=day, starts=starts, **kwargs
    )


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def test_the_outlets_hours_are_written_out_for_its_notices(hours):
    assert hours.opening_hours == "周一至周五 08:30-12:00、14:30-17:30（法定节假日除外）"
    assert hours_text(hours) == hours.opening_hours


def test_a_holder_books_a_half_hour_to_collect_their_card(monday, hours, holder, waiting):
    appointment = book(holder, waiting)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.outlet == hours and appointment.slot_label == "09:00-09:30"
    assert len(appointment.code) == 16
    slot = next(s for s in day_slots(hours, TUESDAY) if s.starts == NINE)
    assert (slot.taken, slot.left) == (1, 1)
    assert AuditRecord.objects.filter(action="appointment.book", target_id=appointment.pk).exists()


def test_a_past_slot_is_refused(monday, hours, holder, waiting):
    error = refusal(lambda: book(holder, waiting, day=date(2026, 9, 28), starts=NINE))
    assert (error.field, error.message) == ("slot", services.SLOT_PAST)
    error = refusal(lambda: book(holder, waiting, day=date(2026, 9, 25)))
    assert (error.field, error.message) == ("day", services.DAY_PAST)


def test_later_today_may_be_booked(monday, hours, holder, waiting):
    assert book(holder, waiting, day=date(2026, 9, 28), starts=time(15, 0)).day == monday.date()


def test_a_full_slot_is_refused(monday, hours, holder, waiting, bank, outlet):
    for _ in range(2):
        other = UserFactory()
        order = ProductionOrderFactory(
            at_outlet=True, person=other.person, bank=bank, outlet=outlet
        )
        book(other, order)
    error = refusal(lambda: book(holder, waiting))
    assert (error.field, error.message) == ("slot", "该时段已约满，请选择其他时段")


def test_a_slot_outside_the_opening_hours_is_refused(monday, hours, holder, waiting):
    for starts in (time(12, 0), time(13, 0), time(8, 0), time(9, 15), time(17, 30)):
        error = refusal(lambda s=starts: book(holder, waiting, starts=s))
        assert (error.field, error.message) == ("slot", services.SLOT_CLOSED)


def test_a_holiday_and_a_weekend_are_refused_but_a_weekend_working_day_is_not(
    monday, hours, holder, waiting
):
    for closed in (date(2026, 10, 1), date(2026, 10, 4)):  # 国庆节; a Sunday
        error = refusal(lambda d=closed: book(holder, waiting, day=d))
        assert (error.field, error.message) == ("day", services.DAY_CLOSED)
    # Saturday 10 October is a working day (调休): Monday's hours
    assert book(holder, waiting, day=date(2026, 10, 10)).day == date(2026, 10, 10)


def test_the_holiday_table_closes_days_of_years_the_calendar_does_not_know(hours, holder, waiting):
    HolidayOverride.objects.create(date=date(2027, 1, 4), is_workday=False, name="测试放假")
    with time_machine.travel(date(2026, 12, 31), tick=False):
        error = refusal(lambda: book(holder, waiting, day=date(2027, 1, 4)))
        assert error.field == "day"
        assert book(holder, waiting, day=date(2027, 1, 5)).day == date(2027, 1, 5)


def test_a_slot_beyond_the_regions_days_is_refused(monday, hours, holder, waiting, region):
    region.appointment_days_ahead = 3
    region.save()
    error = refusal(lambda: book(holder, waiting, day=date(2026, 10, 8)))
    assert (error.field, error.message) == ("day", "只能预约3天内的时段，请选择其他日期")


def test_nobody_books_someone_elses_card(monday, hours, waiting):
    stranger = UserFactory()
    error = refusal(lambda: book(stranger, waiting))
    assert (error.field, error.message) == ("order", "只能预约领取本人或由您监护的未成年人的社保卡")
    assert not Appointment.objects.exists()
    assert AuditRecord.objects.filter(
        action="appointment.book", result=AuditRecord.Result.REFUSED, actor_id=stranger.pk
    ).exists()


def test_a_card_not_yet_at_its_outlet_cannot_be_booked(monday, hours, bank, outlet):
    user = UserFactory()
    order = ProductionOrderFactory(city_bank=True, person=user.person, bank=bank, outlet=outlet)
    error = refusal(lambda: book(user, order))
    assert (error.field, error.message) == ("order", services.NOT_AT_OUTLET)


def test_double_clicking_books_once(monday, hours, holder, waiting):
    key = uuid.uuid4()
    first = book(holder, waiting, submission_key=key)
    assert book(holder, waiting, submission_key=key) == first
    assert Appointment.objects.count() == 1


def test_a_second_booking_for_the_same_matter_is_refused(monday, hours, holder, waiting):
    book(holder, waiting)
    error = refusal(lambda: book(holder, waiting, starts=time(10, 0)))
    assert error.field == "slot" and "您已预约09月29日 09:00-09:30" in error.message


def test_a_matter_done_at_a_counter_is_booked_at_an_outlet_of_ones_choice(monday, hours, holder):
    appointment = services.appointment_book(
        user=holder, purpose=Purpose.FORMAL_LOSS, outlet=hours, day=TUESDAY, starts=NINE
    )
    assert appointment.order is None and appointment.outlet == hours
    closed = OutletFactory(active=False)
    error = refusal(
        lambda: services.appointment_book(
            user=holder, purpose=Purpose.CHANGE_RECORDS, outlet=closed, day=TUESDAY, starts=NINE
        )
    )
    assert (error.field, error.message) == ("outlet", "请选择办理网点")


# ---------------------------------------------------------------------------------------------
# 改约 and 取消: up to the day before


def test_a_booking_is_moved_or_cancelled_up_to_the_day_before(monday, hours, holder, waiting):
    appointment = book(holder, waiting)
    moved = services.appointment_reschedule(
        appointment=appointment, user=holder, day=date(2026, 9, 30), starts=time(15, 0)
    )
    assert (moved.day, moved.starts) == (date(2026, 9, 30), time(15, 0))
    assert services.appointment_cancel(appointment=moved, user=holder).status == "cancelled"
    # the half hour is free again, and the holder may book anew
    assert book(holder, waiting, day=date(2026, 9, 30), starts=time(15, 0))


def test_moving_or_cancelling_on_the_day_itself_is_refused(hours, holder, waiting):
    with time_machine.travel(date(2026, 9, 28), tick=False):
        appointment = book(holder, waiting)
    with time_machine.travel(TUESDAY, tick=False):
        error = refusal(
            lambda: services.appointment_reschedule(
                appointment=appointment, user=holder, day=date(2026, 9, 30), starts=NINE
            )
        )
        assert (error.field, error.message) == ("day", services.SAME_DAY)
        error = refusal(lambda: services.appointment_cancel(appointment=appointment, user=holder))
        assert error.message == services.SAME_DAY
    appointment.refresh_from_db()
    assert (appointment.day, appointment.status) == (TUESDAY, "booked")


def test_moving_into_a_full_slot_is_refused_and_within_ones_own_is_not(
    monday, hours, holder, waiting
):
    appointment = book(holder, waiting)
    for _ in range(2):
        services.appointment_book(
            user=UserFactory(),
            purpose=Purpose.FORMAL_LOSS,
            outlet=hours,
            day=TUESDAY,
            starts=time(10, 0),
        )
    error = refusal(
        lambda: services.appointment_reschedule(
            appointment=appointment, user=holder, day=TUESDAY, starts=time(10, 0)
        )
    )
    assert error.field == "slot" and error.message == services.SLOT_FULL
    # its own half hour, taken by itself only: not full for it
    assert services.appointment_reschedule(
        appointment=appointment, user=holder, day=TUESDAY, starts=NINE
    )


def test_someone_else_cannot_move_or_cancel_a_booking(monday, hours, holder, waiting):
    appointment = book(holder, waiting)
    stranger = UserFactory()
    for call in (
        lambda: services.appointment_cancel(appointment=appointment, user=stranger),
        lambda: services.appointment_reschedule(
            appointment=appointment, user=stranger, day=TUESDAY, starts=time(10, 0)
        ),
    ):
        assert refusal(call).code == "not_found"


# ---------------------------------------------------------------------------------------------
# 已到 / 未到, and the pause after repeated no-shows


def test_the_clerk_marks_arrival_on_the_day_only_and_no_show_from_the_day(
    hours, holder, waiting, clerk
):
    with time_machine.travel(date(2026, 9, 28), tick=False):
        appointment = book(holder, waiting)
        error = refusal(
            lambda: services.appointment_mark(appointment=appointment, clerk=clerk, arrived=True)
        )
        assert error.message == "只能确认当天预约的到达"
        error = refusal(
            lambda: services.appointment_mark(appointment=appointment, clerk=clerk, arrived=False)
        )
        assert error.message == "预约日期未到，不能标记未到"
    with time_machine.travel(datetime_on(TUESDAY, 9, 5), tick=False):
        marked = services.appointment_mark(appointment=appointment, clerk=clerk, arrived=True)
        assert marked.status == AppointmentStatus.ARRIVED and marked.marked_by == clerk
        error = refusal(
            lambda: services.appointment_mark(appointment=appointment, clerk=clerk, arrived=False)
        )
        assert error.code == "invalid_transition"


def test_a_clerk_of_another_outlet_cannot_mark_a_booking(monday, hours, holder, waiting):
    appointment = book(holder, waiting, day=monday.date(), starts=time(15, 0))
    elsewhere = StaffFactory(role=User.Role.CLERK, outlet=OutletFactory())
    error = refusal(
        lambda: services.appointment_mark(appointment=appointment, clerk=elsewhere, arrived=True)
    )
    assert error.message == "该预约不在本网点"


def datetime_on(day: date, hour: int, minute: int = 0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)


def no_show(holder, outlet, day):
    return Appointment.objects.create(
        person=holder.person,
        booked_by=holder,
        purpose=Purpose.FORMAL_LOSS,
        outlet=outlet,
        day=day,
        starts=NINE,
        status=AppointmentStatus.NO_SHOW,
    )


def test_three_no_shows_in_ninety_days_pause_booking_for_thirty_days(hours, holder, waiting):
    for day in (date(2026, 7, 1), date(2026, 8, 3), date(2026, 9, 14)):
        no_show(holder, hours, day)
    with time_machine.travel(datetime_on(date(2026, 9, 28), 10), tick=False):
        error = refusal(lambda: book(holder, waiting))
        assert error.field == "slot" and error.code == "paused"
        assert error.message == (
            "您在90天内有3次预约未到，在线预约暂停至2026年10月14日（含当日）。"
            "如需办理，请直接前往网点现场办理。"
        )
    with time_machine.travel(datetime_on(date(2026, 10, 15), 10), tick=False):
        assert booking_pause(holder.person) is None
        assert book(holder, waiting, day=date(2026, 10, 16))


def test_no_shows_spread_over_more_than_ninety_days_do_not_pause(hours, holder, waiting, region):
    for day in (date(2026, 6, 1), date(2026, 8, 3), date(2026, 9, 14)):
        no_show(holder, hours, day)
    with time_machine.travel(datetime_on(date(2026, 9, 28), 10), tick=False):
        assert booking_pause(holder.person) is None
        region.no_show_window_days = 120  # the administrator counts over a longer span
        region.save()
        assert booking_pause(holder.person) is not None


def test_only_booked_half_hours_count_against_the_capacity(monday, hours, holder, waiting):
    appointment = book(holder, waiting)
    services.appointment_cancel(appointment=appointment, user=holder)
    slot = next(s for s in day_slots(hours, TUESDAY) if s.starts == NINE)
    assert slot.left == 2


def test_a_booking_whose_card_was_handed_over_is_not_marked_a_no_show(
    hours, holder, waiting, clerk
):
    with time_machine.travel(datetime_on(date(2026, 9, 28), 10), tick=False):
        appointment = book(holder, waiting)
    waiting.stage = "collected"  # the holder came early and the card was handed over
    waiting.save(update_fields=["stage"])
    with time_machine.travel(datetime_on(TUESDAY, 18), tick=False):
        error = refusal(
            lambda: services.appointment_mark(appointment=appointment, clerk=clerk, arrived=False)
        )
        assert error.message == "该社保卡已领取，持卡人已到，不能标记未到"
        marked = services.appointment_mark(appointment=appointment, clerk=clerk, arrived=True)
        assert marked.status == AppointmentStatus.ARRIVED


def test_opening_periods_start_and_end_on_the_hour_or_half_hour(outlet):
    period = OpeningPeriod(outlet=outlet, weekday=0, opens=time(8, 15), closes=time(12, 0))
    with pytest.raises(ValidationError) as caught:
        period.full_clean()
    assert caught.value.message_dict["opens"] == ["请填写整点或半点"]
    OpeningPeriod(outlet=outlet, weekday=0, opens=time(8, 30), closes=time(12, 0)).full_clean()
