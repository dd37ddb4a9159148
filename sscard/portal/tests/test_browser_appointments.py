"""网点预约 end to end in Debian's chromium: a card signed in at its outlet (网点签收), the
holder books 领卡 on a phone and sees the booking's QR in 我的办件; on the day, the clerk finds
the booking by its code, marks 已到 and hands the card over after checking the document."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sscard.accounts.models import User
from sscard.applications.constants import AppStatus
from sscard.applications.tests.helpers import approve, produce_to_outlet, submit_apply
from sscard.appointments.constants import AppointmentStatus
from sscard.appointments.models import Appointment
from sscard.appointments.qr import appointment_qr_token
from sscard.appointments.services import outlet_hours_set
from sscard.portal.tests.conftest import password_login
from sscard.production.constants import Stage
from sscard.testing.browser import shot
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.otp import otp_browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_PASSWORD = "Staff-password-2026"


def test_a_holder_books_collection_and_the_clerk_marks_arrival_then_hands_over(
    phone, desktop, bank, outlet, reviewer, producer
):
    outlet_hours_set(outlet=outlet, actor=None)
    holder = UserFactory(username="li.holder")
    application = produce_to_outlet(approve(submit_apply(holder, bank, outlet), reviewer), producer)
    order = application.production_order
    clerk = StaffFactory(
        username="wu.clerk", role=User.Role.CLERK, outlet=outlet, password=STAFF_PASSWORD
    )

    # the holder: 我的办件 → 预约领卡 → a day, 09:00 → 预约
    password_login(phone, holder.username)
    phone.goto("/my/")
    phone.get_by_role("link", name=re.compile("点此预约领卡时段")).click()
    expect(phone.get_by_role("heading", name="网点预约")).to_be_visible()
    expect(
        phone.get_by_text("周一至周五 08:30-12:00、14:30-17:30（法定节假日除外）")
    ).to_be_visible()
    phone.get_by_role("radio", name=re.compile("09:00-09:30")).check()
    shot(phone, "appointment-new")
    phone.get_by_role("button", name="预约", exact=True).click()
    expect(phone.get_by_role("heading", name="我的预约")).to_be_visible()
    expect(phone.get_by_role("img", name="预约码二维码")).to_be_visible()
    shot(phone, "appointment-booked")
    appointment = Appointment.objects.get(order=order)
    phone.goto("/my/")
    expect(phone.get_by_role("link", name=re.compile("领卡.*09:00-09:30"))).to_be_visible()

    # the booked day comes (moved to today: the test cannot wait for it)
    Appointment.objects.filter(pk=appointment.pk).update(day=timezone.localdate())
    appointment.refresh_from_db()

    # the clerk: 网点预约 → the scanned QR (the scanner types its signed token) → 已到 → the
    # handover
    otp_browser_login(desktop, clerk, STAFF_PASSWORD)
    desktop.get_by_role("link", name="网点预约").first.click()
    desktop.get_by_label("预约码").fill(appointment_qr_token(appointment))
    desktop.get_by_role("button", name="查找").click()
    shot(desktop, "staff-appointments")
    desktop.get_by_role("button", name=re.compile("^已到")).click()
    expect(desktop.get_by_text("已确认到达，请核验领卡人的身份证件后发卡")).to_be_visible()
    desktop.get_by_label("领卡人证件号码").fill(order.person.doc_number)
    desktop.get_by_role("button", name="核验并发卡").click()
    expect(desktop.get_by_text(re.compile("已发卡：卡号"))).to_be_visible()

    appointment.refresh_from_db()
    order.refresh_from_db()
    application.refresh_from_db()
    assert appointment.status == AppointmentStatus.ARRIVED
    assert order.stage == Stage.COLLECTED
    assert application.status == AppStatus.COMPLETED
