"""网点预约 in the portal: the holder books 领卡 once their card is at its outlet, sees it in
我的办件 with its QR, moves or cancels it; each refusal is beside its field, with what was
entered kept."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sscard.accounts.models import User
from sscard.applications.tests.helpers import approve, produce_to_outlet, submit_apply
from sscard.appointments.constants import AppointmentStatus, Purpose
from sscard.appointments.models import Appointment
from sscard.appointments.qr import TOKEN_TYPE, appointment_qr_token
from sscard.appointments.services import appointment_book, outlet_hours_set
from sscard.core.qrcodes import qr_svg
from sscard.core.signing import verify_token
from sscard.testing.factories import ProductionOrderFactory, StaffFactory, UserFactory
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
    return outlet_hours_set(outlet=outlet, actor=None, capacity=1)


@pytest.fixture
def holder(bank, outlet):
    user = UserFactory()
    ProductionOrderFactory(at_outlet=True, person=user.person, bank=bank, outlet=outlet)
    return user


@pytest.fixture
def client(holder) -> Client:
    return sign_in(Client(), holder)


def _svg_paths(html: str) -> list[str]:
    return re.findall(r'<path stroke="#000" d="([^"]+)"', html)


def post(client, **data):
    order = data.pop("order", None)
    form = {"purpose": "collect", "action": "book", "day": "2026-09-29", "slot": "09:00"}
    if order is not None:
        form["order"] = str(order.pk)
    return client.post(NEW, form | data)


def test_my_applications_offer_to_book_the_card_waiting_at_its_outlet(client, hours):
    page = client.get(reverse("portal:applications")).content.decode()
    assert "社保卡已到达领卡网点" in page and "点此预约领卡时段" in page


def test_the_booking_page_shows_the_cards_outlet_its_hours_and_half_hours(client, hours, holder):
    page = client.get(NEW + "?purpose=collect").content.decode()
    assert hours.address in page
    assert "周一至周五 08:30-12:00、14:30-17:30（法定节假日除外）" in page
    assert "9月29日 周二" in page and "10月1日" not in page  # 国庆节 is not offered
    assert "09:00-09:30" in page and "可约1人" in page


def test_a_holder_books_and_sees_the_booking_with_its_qr(client, holder):
    order = holder.person.orders.get()
    outlet_hours_set(outlet=order.outlet, actor=None)
    response = post(client, order=order, key="9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:appointment", args=[appointment.code])
    page = client.get(response["Location"]).content.decode()
    assert 'aria-label="预约码二维码"' in page and appointment.code in page
    assert "2026年9月29日 09:00-09:30" in page
    # the QR draws the service's signed token of the booking's code, outlet and day
    token = appointment_qr_token(appointment)
    assert _svg_paths(page) == _svg_paths(qr_svg(token, title="x")) != []
    assert verify_token(token, typ=TOKEN_TYPE) == {
        "c": appointment.code,
        "o": order.outlet.code,
        "d": "2026-09-29",
    }
    listed = client.get(reverse("portal:applications")).content.decode()
    assert "已预约" in listed and "点此预约领卡时段" not in listed


def test_double_clicking_book_makes_one_booking(client, holder, hours):
    order = holder.person.orders.get()
    key = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
    first = post(client, order=order, key=key)
    second = post(client, order=order, key=key)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Appointment.objects.count() == 1


def assert_refused(response, field: str, message: str, kept: str) -> None:
    page = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field-error" id="e-{field}">{message}</p>' in page
    assert kept in page  # what was entered is still chosen


def test_a_past_slot_is_refused_beside_the_slot(client, holder, hours):
    response = post(client, order=holder.person.orders.get(), day="2026-09-28", slot="09:00")
    assert_refused(
        response, "slot", "该时段已过，请选择其他时段", '<option value="2026-09-28" selected>'
    )


def test_a_full_slot_is_refused_beside_the_slot(client, holder, hours, bank, outlet):
    other = UserFactory()
    order = ProductionOrderFactory(at_outlet=True, person=other.person, bank=bank, outlet=outlet)
    appointment_book(
        user=other, purpose=Purpose.COLLECT, order=order, day=date(2026, 9, 29), starts=time(9)
    )
    response = post(client, order=holder.person.orders.get())
    assert_refused(
        response, "slot", "该时段已约满，请选择其他时段", '<option value="2026-09-29" selected>'
    )


def test_a_slot_outside_the_hours_is_refused_beside_the_slot(client, holder, hours):
    response = post(client, order=holder.person.orders.get(), slot="12:30")
    assert_refused(
        response,
        "slot",
        "该时段不在网点营业时间内，请选择其他时段",
        '<option value="2026-09-29" selected>',
    )


def test_a_holiday_is_refused_beside_the_day(client, holder, hours):
    response = post(client, order=holder.person.orders.get(), day="2026-10-01")
    assert_refused(
        response,
        "day",
        "该日为法定节假日或休息日，网点不办理预约业务，请选择工作日",
        '<option value="2026-10-01" selected>',
    )


def test_someone_elses_card_is_refused_beside_the_card(client, hours, bank, outlet):
    other = ProductionOrderFactory(at_outlet=True, bank=bank, outlet=outlet)
    response = post(client, order=other)
    assert_refused(
        response,
        "order",
        "只能预约领取本人或由您监护的未成年人的社保卡",
        '<option value="2026-09-29" selected>',
    )
    assert not Appointment.objects.exists()


def test_booking_while_paused_is_refused_beside_the_slot(client, holder, hours):
    for day in (date(2026, 8, 3), date(2026, 9, 1), date(2026, 9, 14)):
        Appointment.objects.create(
            person=holder.person,
            booked_by=holder,
            purpose=Purpose.FORMAL_LOSS,
            outlet=hours,
            day=day,
            starts=time(9),
            status=AppointmentStatus.NO_SHOW,
        )
    assert "暂停至2026年10月14日" in client.get(NEW).content.decode()
    response = post(client, order=holder.person.orders.get())
    assert_refused(
        response,
        "slot",
        "您在90天内有3次预约未到，在线预约暂停至2026年10月14日（含当日）。"
        "如需办理，请直接前往网点现场办理。",
        '<option value="2026-09-29" selected>',
    )


def test_rescheduling_on_the_day_itself_is_refused_beside_the_day(holder, hours):
    with time_machine.travel(datetime(2026, 9, 25, 10, 0, tzinfo=LOCAL), tick=False):
        appointment = appointment_book(
            user=holder,
            purpose=Purpose.COLLECT,
            order=holder.person.orders.get(),
            day=date(2026, 9, 28),
            starts=time(15),
        )
    client = sign_in(Client(), holder)
    url = reverse("portal:appointment_reschedule", args=[appointment.code])
    response = client.post(url, {"action": "book", "day": "2026-09-29", "slot": "10:00"})
    assert_refused(
        response,
        "day",
        "预约当天不能改约或取消。如不能按时前往，请直接联系网点",
        '<option value="2026-09-29" selected>',
    )
    appointment.refresh_from_db()
    assert appointment.day == date(2026, 9, 28)


def test_a_booking_is_moved_then_cancelled(client, holder, hours):
    post(client, order=holder.person.orders.get())
    appointment = Appointment.objects.get()
    url = reverse("portal:appointment_reschedule", args=[appointment.code])
    assert "原预约时间" in client.get(url).content.decode()
    response = client.post(url, {"action": "book", "day": "2026-09-30", "slot": "15:00"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.day, appointment.starts) == (date(2026, 9, 30), time(15))
    client.post(reverse("portal:appointment_cancel", args=[appointment.code]))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_someone_elses_booking_is_not_found(holder, hours):
    appointment = appointment_book(
        user=holder,
        purpose=Purpose.COLLECT,
        order=holder.person.orders.get(),
        day=date(2026, 9, 29),
        starts=time(9),
    )
    stranger = sign_in(Client(), UserFactory())
    for name in ("portal:appointment", "portal:appointment_reschedule"):
        assert stranger.get(reverse(name, args=[appointment.code])).status_code == 404
    assert (
        stranger.post(reverse("portal:appointment_cancel", args=[appointment.code])).status_code
        == 404
    )


def test_a_counter_matter_is_booked_at_a_chosen_outlet(client, hours):
    page = client.get(NEW + "?purpose=formal_loss").content.decode()
    assert hours.name in page
    response = client.post(
        NEW,
        {
            "purpose": "formal_loss",
            "outlet": hours.code,
            "action": "book",
            "day": "2026-09-29",
            "slot": "14:30",
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.get().purpose == Purpose.FORMAL_LOSS


def test_the_progress_page_offers_to_book_once_the_card_is_at_its_outlet(hours):
    reviewer = StaffFactory(username="reviewer", role=User.Role.REVIEWER)
    producer = StaffFactory(username="producer", role=User.Role.PRODUCER)
    application = approve(submit_apply(UserFactory(), hours.bank, hours), reviewer)
    own = sign_in(Client(), application.applicant)
    url = reverse("portal:item", args=["sscard", "progress", f"person-{application.subject_id}"])
    assert "预约领卡" not in own.get(url).content.decode()  # still being made
    produce_to_outlet(application, producer)
    page = own.get(url).content.decode()
    assert "预约领卡" in page and f"{NEW}?purpose=collect" in page


def test_a_counter_matter_asks_for_the_outlet_first(client, hours):
    page = client.get(NEW + "?purpose=change_records").content.decode()
    assert "请先选择办理网点" in page
