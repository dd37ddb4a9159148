"""网点预约 for a ward in the portal: the guardian sees the card of the minor in their care
beside their own, named by the ward's masked name, books 领卡 for it, and sees whose card it is
on the booking and in 我的办件."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sscard.appointments.constants import AppointmentStatus, Purpose
from sscard.appointments.models import Appointment
from sscard.appointments.services import appointment_book, outlet_hours_set
from sscard.testing.factories import (
    ApplicationFactory,
    GuardianshipFactory,
    ProductionOrderFactory,
    UserFactory,
)
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 9, 28, 10, 0, tzinfo=LOCAL)
NEW = reverse("portal:appointment_new")


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def hours(outlet):
    return outlet_hours_set(outlet=outlet, actor=None, capacity=2)


@pytest.fixture
def guardian(db):
    return UserFactory()


@pytest.fixture
def ward(guardian):
    return GuardianshipFactory(guardian=guardian.person, active=True).ward


@pytest.fixture
def wards_card(hours, bank, outlet, ward):
    return ProductionOrderFactory(at_outlet=True, person=ward, bank=bank, outlet=outlet)


@pytest.fixture
def client(guardian) -> Client:
    return sign_in(Client(), guardian)


def post(client, order, **data):
    form = {
        "purpose": "collect",
        "action": "book",
        "order": str(order.pk),
        "day": "2026-09-29",
        "slot": "09:00",
    }
    return client.post(NEW, form | data)


def test_the_booking_page_lists_the_wards_card_by_the_wards_masked_name(
    client, ward, wards_card, bank, outlet, guardian
):
    ProductionOrderFactory(at_outlet=True, person=guardian.person, bank=bank, outlet=outlet)
    page = client.get(NEW + "?purpose=collect").content.decode()
    assert f"本人的社保卡 {guardian.person.orders.get().card.masked_number}" in page
    assert f"{ward.masked_name}的社保卡 {wards_card.card.masked_number}" in page
    assert ward.name not in page


def test_my_applications_offer_to_book_the_wards_card(client, wards_card):
    page = client.get(reverse("portal:applications")).content.decode()
    assert "社保卡已到达领卡网点" in page and "点此预约领卡时段" in page


def test_a_guardian_books_for_the_ward_and_sees_whose_card_it_is(
    client, guardian, ward, wards_card
):
    response = post(client, wards_card)
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert (appointment.person, appointment.booked_by) == (ward, guardian)
    page = client.get(response["Location"]).content.decode()
    assert f"{ward.masked_name}（由监护人预约）" in page and "预约码二维码" in page
    assert "被监护人的有效身份证件或居民户口簿，以及监护人本人的有效身份证件" in page
    listed = client.get(reverse("portal:applications")).content.decode()
    assert f"领卡 · {ward.masked_name}" in listed and "点此预约领卡时段" not in listed


def test_the_guardian_moves_and_cancels_the_wards_booking(client, guardian, wards_card):
    appointment = appointment_book(
        user=guardian,
        purpose=Purpose.COLLECT,
        order=wards_card,
        day=date(2026, 9, 29),
        starts=time(9, 0),
    )
    moved = client.post(
        reverse("portal:appointment_reschedule", args=[appointment.code]),
        {"action": "book", "day": "2026-09-30", "slot": "10:00"},
    )
    assert moved.status_code == 302
    client.post(reverse("portal:appointment_cancel", args=[appointment.code]))
    appointment.refresh_from_db()
    assert (appointment.day, appointment.status) == (date(2026, 9, 30), AppointmentStatus.CANCELLED)


def test_a_guardianship_not_yet_confirmed_is_refused_beside_the_card(hours, bank, outlet):
    claimant = UserFactory()
    link = GuardianshipFactory(guardian=claimant.person, active=False)
    card = ProductionOrderFactory(at_outlet=True, person=link.ward, bank=bank, outlet=outlet)
    client = sign_in(Client(), claimant)
    assert link.ward.masked_name not in client.get(NEW + "?purpose=collect").content.decode()
    response = post(client, card)
    page = response.content.decode()
    assert response.status_code == 400
    assert "您与该社保卡持卡人的监护关系尚未审核确认或已不在有效期内，不能代为预约领卡" in page
    assert not Appointment.objects.exists()


def test_the_wards_booking_is_not_found_for_a_stranger(guardian, wards_card):
    appointment = appointment_book(
        user=guardian,
        purpose=Purpose.COLLECT,
        order=wards_card,
        day=date(2026, 9, 29),
        starts=time(9, 0),
    )
    stranger = sign_in(Client(), UserFactory())
    assert stranger.get(reverse("portal:appointment", args=[appointment.code])).status_code == 404
    cancel = reverse("portal:appointment_cancel", args=[appointment.code])
    assert stranger.post(cancel).status_code == 404
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED


def test_the_progress_page_offers_the_guardian_to_book_the_wards_card(
    client, guardian, ward, hours, bank
):
    application = ApplicationFactory(
        approved=True,
        applicant=guardian,
        subject=ward,
        relation="guardian",
        bank=bank,
        outlet=hours,
        production_order__at_outlet=True,
    )
    url = reverse("portal:item", args=["sscard", "progress", f"person-{ward.pk}"])
    page = client.get(url).content.decode()
    assert "预约领卡" in page
    assert f"{NEW}?purpose=collect&amp;order={application.production_order_id}" in page
