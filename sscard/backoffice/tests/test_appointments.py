"""网点柜员's 网点预约: the day's bookings at their outlet (personal data masked), a booking
found by the code its QR carries, 已到 leading on to the handover of the card, 未到; and the
outlets' bookings on the dashboard."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse

from sscard.accounts.models import User
from sscard.applications.constants import AppStatus
from sscard.appointments.constants import AppointmentStatus, Purpose
from sscard.appointments.models import Appointment
from sscard.appointments.qr import TOKEN_TYPE, appointment_qr_token
from sscard.appointments.services import appointment_book, outlet_hours_set
from sscard.core import signing
from sscard.production.constants import Stage
from sscard.testing.factories import (
    GuardianshipFactory,
    OutletFactory,
    ProductionOrderFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 9, 28, 8, 0, tzinfo=LOCAL)
LIST = reverse("backoffice:appointments")


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def booked(at_outlet, outlet):
    """The holder of the card at the clerk's outlet booked 领卡 for this morning, 09:00."""
    outlet_hours_set(outlet=outlet, actor=None)
    return appointment_book(
        user=at_outlet.applicant,
        purpose=Purpose.COLLECT,
        order=at_outlet.production_order,
        day=date(2026, 9, 28),
        starts=time(9, 0),
    )


def test_the_clerk_sees_the_days_bookings_masked(booked, clerk):
    page = staff_client(clerk).get(LIST).content.decode()
    person = booked.person
    assert "09:00-09:30" in page and "领卡" in page and booked.code in page
    assert person.masked_name in page and person.name not in page
    assert person.doc_number not in page
    assert booked.order.card.masked_number in page


def test_the_qr_code_finds_the_booking(booked, clerk):
    client = staff_client(clerk)
    page = client.post(LIST, {"code": booked.code.lower()}).content.decode()
    assert 'class="is-found"' in page
    missing = client.post(LIST, {"code": "0000000000000000"})
    assert missing.status_code == 404
    assert "未找到该预约码在本网点的预约" in missing.content.decode()


def test_the_scanned_qr_is_verified_before_it_finds_the_booking(booked, clerk):
    client = staff_client(clerk)
    token = appointment_qr_token(booked)
    found = client.post(LIST, {"code": token})
    assert found.status_code == 200 and 'class="is-found"' in found.content.decode()

    impostor = signing.Ed25519Signer("ts2", Ed25519PrivateKey.generate())
    claims = signing.verify_token(token, typ=TOKEN_TYPE)
    forged = client.post(
        LIST, {"code": signing.sign_token(claims, typ=TOKEN_TYPE, signer=impostor)}
    )
    assert forged.status_code == 400
    page = forged.content.decode()
    assert "该二维码无法验证" in page and 'class="is-found"' not in page
    assert 'id="e-code"' in page

    elsewhere = StaffFactory(
        role=User.Role.CLERK, outlet=OutletFactory(name="普宁市社保卡服务中心")
    )
    other = staff_client(elsewhere).post(LIST, {"code": token})
    assert other.status_code == 400
    assert f"该预约不在本网点：预约的办理网点为{booked.outlet.name}" in other.content.decode()
    assert booked.person.masked_name not in other.content.decode()


def test_arrival_leads_to_the_handover_of_the_card(booked, clerk, at_outlet):
    client = staff_client(clerk)
    response = client.post(reverse("backoffice:appointment_arrived", args=[booked.pk]))
    order = at_outlet.production_order
    assert response["Location"] == reverse("backoffice:handover", args=[order.pk])
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.ARRIVED and booked.marked_by == clerk
    handed = client.post(
        response["Location"], {"doc_type": "resident_id", "doc_number": order.person.doc_number}
    )
    assert handed.status_code == 302
    order.refresh_from_db()
    at_outlet.refresh_from_db()
    assert order.stage == Stage.COLLECTED and at_outlet.status == AppStatus.COMPLETED


def test_a_no_show_is_marked_and_counted(booked, clerk):
    client = staff_client(clerk)
    client.post(reverse("backoffice:appointment_no_show", args=[booked.pk]))
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.NO_SHOW
    again = client.post(reverse("backoffice:appointment_arrived", args=[booked.pk]), follow=True)
    assert "该预约当前为“未到”，不能再更改" in again.content.decode()


def test_a_clerk_of_another_outlet_neither_sees_nor_marks_the_booking(booked):
    elsewhere = StaffFactory(role=User.Role.CLERK, outlet=OutletFactory())
    client = staff_client(elsewhere)
    assert booked.code not in client.get(LIST).content.decode()
    for name in ("backoffice:appointment_arrived", "backoffice:appointment_no_show"):
        assert client.post(reverse(name, args=[booked.pk])).status_code == 404
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED


def test_the_dashboard_counts_each_outlets_bookings(booked, clerk, outlet):
    staff_client(clerk).post(reverse("backoffice:appointment_no_show", args=[booked.pk]))
    appointment_book(
        user=UserFactory(),
        purpose=Purpose.FORMAL_LOSS,
        outlet=outlet,
        day=date(2026, 9, 30),
        starts=time(10, 0),
    )
    page = (
        staff_client(StaffFactory(role=User.Role.REVIEWER))
        .get(reverse("backoffice:dashboard"))
        .content.decode()
    )
    assert "网点预约" in page
    past = page.split("近7天（含今天）")[1].split("</table>")[0]
    coming = page.split("未来7天")[1].split("</table>")[0]
    assert f"<td>{outlet.name}</td>" in past and f"<td>{outlet.name}</td>" in coming
    cells = past.split(f"<td>{outlet.name}</td>")[1].split("</tr>")[0]
    assert cells.count('<td class="bo-num">') == 5
    assert cells.startswith('<td class="bo-num">1</td><td class="bo-num">0</td>')
    assert '<td class="bo-num">1</td>' in coming
    assert Appointment.objects.count() == 2


def test_a_booking_made_by_a_guardian_names_the_guardian_for_their_documents(clerk, bank, outlet):
    outlet_hours_set(outlet=outlet, actor=None)
    guardian = UserFactory()
    ward = GuardianshipFactory(guardian=guardian.person, active=True).ward
    card = ProductionOrderFactory(at_outlet=True, person=ward, bank=bank, outlet=outlet)
    appointment_book(
        user=guardian,
        purpose=Purpose.COLLECT,
        order=card,
        day=date(2026, 9, 28),
        starts=time(9, 0),
    )
    page = staff_client(clerk).get(LIST).content.decode()
    assert ward.masked_name in page
    assert f"监护人代约：{guardian.person.masked_name}，请核验监护人身份证件及监护关系证明" in page
    assert guardian.person.name not in page and ward.name not in page
