"""网点预约 for a ward: a guardian whose guardianship is confirmed books, moves and cancels 领卡
of the card of a minor in their care; the booking is the ward's, made by the guardian. A
claimed, lapsed or absent guardianship is refused, and the refusal is on record."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import time_machine

from sscard.appointments import services
from sscard.appointments.constants import AppointmentStatus, Purpose
from sscard.appointments.models import Appointment
from sscard.appointments.reminders import remind_appointments
from sscard.appointments.tests.conftest import LOCAL
from sscard.audit.models import AuditRecord
from sscard.core.errors import DomainError, NotFound
from sscard.notifications.constants import Channel, Event
from sscard.notifications.models import Message
from sscard.testing.factories import (
    GuardianshipFactory,
    PersonFactory,
    ProductionOrderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 9, 29)
WEDNESDAY = date(2026, 9, 30)
NINE = time(9, 0)


def book(user, order, day=TUESDAY, starts=NINE):
    return services.appointment_book(
        user=user, purpose=Purpose.COLLECT, order=order, day=day, starts=starts
    )


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


@pytest.fixture
def guardian(monday):
    return UserFactory()


@pytest.fixture
def ward(guardian):
    """An eight-year-old in the guardian's confirmed care."""
    return GuardianshipFactory(guardian=guardian.person, active=True).ward


@pytest.fixture
def wards_card(monday, hours, bank, outlet, ward):
    """The ward's card, signed in at the outlet (网点签收)."""
    return ProductionOrderFactory(at_outlet=True, person=ward, bank=bank, outlet=outlet)


def refused_audits(user) -> list[dict]:
    return list(
        AuditRecord.objects.filter(
            action="appointment.book", result=AuditRecord.Result.REFUSED, actor_id=user.pk
        ).values_list("detail", flat=True)
    )


def test_a_guardian_books_collecting_their_wards_card(guardian, ward, wards_card):
    appointment = book(guardian, wards_card)
    assert appointment.person == ward and appointment.booked_by == guardian
    assert appointment.order == wards_card and appointment.outlet == wards_card.outlet
    assert AuditRecord.objects.filter(
        action="appointment.book", target_id=appointment.pk, actor_id=guardian.pk
    ).exists()


def test_a_claimed_guardianship_not_yet_confirmed_is_refused_and_recorded(
    monday, hours, bank, outlet
):
    claimant = UserFactory()
    link = GuardianshipFactory(guardian=claimant.person, active=False)
    card = ProductionOrderFactory(at_outlet=True, person=link.ward, bank=bank, outlet=outlet)
    error = refusal(lambda: book(claimant, card))
    assert error.field == "order"
    assert error.message == (
        "您与该社保卡持卡人的监护关系尚未审核确认或已不在有效期内，不能代为预约领卡；"
        "持卡人可本人预约，或直接前往网点办理"
    )
    assert not Appointment.objects.exists()
    assert refused_audits(claimant) == [{"reason": "guardianship_not_in_force"}]


def test_a_guardianship_lapsed_when_the_ward_came_of_age_is_refused(monday, hours, bank, outlet):
    guardian = UserFactory()
    sixteen = PersonFactory(birth_date=date(2010, 3, 1))
    GuardianshipFactory(guardian=guardian.person, ward=sixteen, active=True)
    card = ProductionOrderFactory(at_outlet=True, person=sixteen, bank=bank, outlet=outlet)
    error = refusal(lambda: book(guardian, card))
    assert error.code == "guardianship_not_in_force"
    assert refused_audits(guardian) == [{"reason": "guardianship_not_in_force"}]


def test_a_stranger_cannot_book_a_wards_card(wards_card):
    stranger = UserFactory()
    error = refusal(lambda: book(stranger, wards_card))
    assert (error.field, error.message) == ("order", "只能预约领取本人或由您监护的未成年人的社保卡")
    assert refused_audits(stranger) == [{"reason": "not_own_card"}]
    assert not Appointment.objects.exists()


def test_the_guardian_moves_and_cancels_the_wards_booking(guardian, wards_card):
    appointment = book(guardian, wards_card)
    moved = services.appointment_reschedule(
        appointment=appointment, user=guardian, day=WEDNESDAY, starts=time(10, 0)
    )
    assert (moved.day, moved.slot_label) == (WEDNESDAY, "10:00-10:30")
    cancelled = services.appointment_cancel(appointment=appointment, user=guardian)
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert AuditRecord.objects.filter(
        action="appointment.cancel", target_id=appointment.pk, actor_id=guardian.pk
    ).exists()


def test_a_guardian_whose_guardianship_ended_can_no_longer_move_or_cancel(guardian, wards_card):
    appointment = book(guardian, wards_card)
    guardian.person.wards_links.update(active=False)
    with pytest.raises(NotFound):
        services.appointment_cancel(appointment=appointment, user=guardian)
    with pytest.raises(NotFound):
        services.appointment_reschedule(
            appointment=appointment, user=guardian, day=WEDNESDAY, starts=NINE
        )
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED


def test_a_stranger_cannot_cancel_a_wards_booking(guardian, wards_card):
    appointment = book(guardian, wards_card)
    with pytest.raises(NotFound):
        services.appointment_cancel(appointment=appointment, user=UserFactory())


def test_the_wards_own_account_may_cancel_as_the_holder_of_the_booking(guardian, ward, wards_card):
    # the booking is the ward's: as for every booking, the person it is for may move or cancel it
    appointment = book(guardian, wards_card)
    own = UserFactory(person=ward)
    assert services.appointment_cancel(appointment=appointment, user=own).status == (
        AppointmentStatus.CANCELLED
    )


def test_one_live_booking_is_the_wards_not_the_guardians(guardian, ward, wards_card, bank, outlet):
    book(guardian, wards_card)
    own_card = ProductionOrderFactory(
        at_outlet=True, person=guardian.person, bank=bank, outlet=outlet
    )
    assert book(guardian, own_card).person == guardian.person  # the guardian's own: still free
    error = refusal(lambda: book(guardian, wards_card, starts=time(10, 0)))
    assert error.code == "already_booked"
    assert error.message.startswith(f"{ward.masked_name}已预约09月29日 09:00-09:30")


def test_the_wards_no_shows_pause_booking_for_them(guardian, ward, wards_card, outlet):
    for day in (date(2026, 8, 3), date(2026, 9, 1), date(2026, 9, 14)):
        Appointment.objects.create(
            person=ward,
            booked_by=guardian,
            purpose=Purpose.FORMAL_LOSS,
            outlet=outlet,
            day=day,
            starts=NINE,
            status=AppointmentStatus.NO_SHOW,
        )
    error = refusal(lambda: book(guardian, wards_card))
    assert error.code == "paused"


def test_the_guardian_is_reminded_the_day_before(guardian, wards_card):
    appointment = book(guardian, wards_card, day=WEDNESDAY)
    with time_machine.travel(datetime(2026, 9, 29, 8, 0, tzinfo=LOCAL), tick=False):
        assert remind_appointments() == 1
    [message] = Message.objects.filter(
        channel=Channel.INBOX,
        notification__event=Event.APPOINTMENT_TOMORROW,
        user_id=guardian.pk,
    )
    assert appointment.code in message.body
