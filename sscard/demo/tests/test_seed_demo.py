from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Min, Q
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sscard.accounts.models import Employment, Guardianship, Person, User
from sscard.applications.constants import CARD_ITEMS, OPEN_STATUSES, AppStatus, ItemCode
from sscard.applications.models import Application
from sscard.applications.selectors import application_deadline, applications_overdue
from sscard.appointments.models import Appointment
from sscard.appointments.selectors import collectable_orders
from sscard.audit.models import AuditRecord
from sscard.backoffice.otp import totp_secret
from sscard.cards.constants import LIVE_STATUSES, CardStatus
from sscard.cards.models import Card
from sscard.demo.seed.output import address_lines, staff_login_lines
from sscard.demo.seed.reference import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    STAFF_PASSWORD,
    ensure_role_groups,
)
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import Message
from sscard.production.constants import Stage
from sscard.production.models import ProductionOrder
from sscard.regions.models import HolidayOverride, Outlet

pytestmark = pytest.mark.django_db

ACCOUNTS = {
    "demo_admin": (STAFF_PASSWORD, User.Role.ADMIN),
    "demo_reviewer": (STAFF_PASSWORD, User.Role.REVIEWER),
    "demo_producer": (STAFF_PASSWORD, User.Role.PRODUCER),
    "demo_clerk": (STAFF_PASSWORD, User.Role.CLERK),
    "demo_card": (DEMO_PASSWORD, User.Role.CITIZEN),
    "demo_nocard": (DEMO_PASSWORD, User.Role.CITIZEN),
    "demo_guardian": (DEMO_PASSWORD, User.Role.CITIZEN),
    "demo_lost": (DEMO_PASSWORD, User.Role.CITIZEN),
    "demo_pickup": (DEMO_PASSWORD, User.Role.CITIZEN),
    "demo_employer": (DEMO_PASSWORD, User.Role.EMPLOYER),
    "demo_employer_new": (DEMO_PASSWORD, User.Role.EMPLOYER),
}
CITIZEN_ID = re.compile(r"\d{17}[\dX]")


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Person,
            User,
            Card,
            Application,
            ProductionOrder,
            Outlet,
            Group,
            HolidayOverride,
            Guardianship,
            Employment,
        )
    }


def test_seed_demo_writes_a_lived_in_region_once():
    output = seed()

    # people, and every state of cards and applications
    assert Person.objects.count() >= 200
    assert set(Card.objects.values_list("status", flat=True)) == set(CardStatus.values)
    # 待缴费 and 未缴费 need online payment, off here (the payment test below turns it on)
    lived = set(AppStatus.values) - {AppStatus.AWAITING_PAYMENT, AppStatus.UNPAID}
    assert set(Application.objects.values_list("status", flat=True)) == lived
    for item in (ItemCode.APPLY, ItemCode.REISSUE):
        statuses = set(Application.objects.filter(item=item).values_list("status", flat=True))
        assert statuses == lived, item
    for item in (ItemCode.ENABLE, ItemCode.LOSS, ItemCode.CHANGE):
        assert Application.objects.filter(item=item, status=AppStatus.COMPLETED).exists(), item
    assert set(ProductionOrder.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert not ProductionOrder.objects.filter(stage=Stage.MAILED, tracking_number="").exists()

    # the invariants: one live card, one open card request, a producing card only on an
    # approved application's order; a temporary loss report still running
    assert not (
        Card.objects.filter(status__in=LIVE_STATUSES)
        .values("person")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert not (
        Application.objects.filter(item__in=CARD_ITEMS, status__in=OPEN_STATUSES)
        .values("subject")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    for card in Card.objects.filter(status=CardStatus.PRODUCING).select_related("order"):
        assert card.order.application.status == AppStatus.APPROVED
    assert not Card.objects.filter(
        status=CardStatus.TEMP_LOST, loss_expires_at__lte=timezone.now()
    ).exists()
    assert not Card.objects.filter(
        Q(status=CardStatus.TEMP_LOST) & Q(loss_expires_at__isnull=True)
    ).exists()

    # staff see deadlines: some overdue, some close to it
    assert applications_overdue().exists()
    warnings = [
        deadline
        for application in Application.objects.filter(status=AppStatus.ACCEPTED)
        if (deadline := application_deadline(application)) and deadline.warning
    ]
    assert warnings

    # the named accounts, by their documented passwords
    request = RequestFactory().post("/login/")
    for username, (password, role) in ACCOUNTS.items():
        user = authenticate(request, username=username, password=password)
        assert user is not None, username
        assert user.role == role
        assert (user.role == User.Role.EMPLOYER) == (user.employer_id is not None)
    staff = User.objects.filter(
        username__in=[u for u, (_, r) in ACCOUNTS.items() if r not in ("citizen", "employer")]
    )
    assert all(user.is_staff for user in staff)
    assert User.objects.get(username="demo_admin").is_superuser
    assert User.objects.get(username="demo_clerk").outlet.district == "榕城区"
    reviewer = User.objects.get(username="demo_reviewer")
    assert reviewer.has_perm("applications.review_application")
    assert not reviewer.has_perm("production.change_productionorder")
    assert User.objects.get(username="demo_clerk").has_perm("applications.outlet_work")
    # every demo staff login has the published TOTP device; the other clerks cannot sign in
    for user in staff:
        device = TOTPDevice.objects.get(user=user)
        assert totp_secret(device) == DEMO_TOTP_SECRET
    assert not TOTPDevice.objects.filter(user__username="clerk_rc02").exists()

    card_holder = User.objects.get(username="demo_card").person
    assert card_holder.cards.get().status == CardStatus.ACTIVE
    assert not User.objects.get(username="demo_nocard").person.cards.exists()
    assert User.objects.get(username="demo_lost").person.cards.get().status == CardStatus.LOST
    guardian = User.objects.get(username="demo_guardian").person
    wards = [link.ward for link in guardian.wards_links.filter(active=True)]
    assert wards
    assert all(ward.age(timezone.localdate()) < 16 for ward in wards)
    assert all(ward.cards.exists() or ward.applications.exists() for ward in wards)
    employer = User.objects.get(username="demo_employer").employer
    assert employer.employments.count() >= 3
    assert employer.status == "approved" and employer.license_file
    waiting = User.objects.get(username="demo_employer_new").employer
    assert waiting.status == "pending" and waiting.license_content_type == "image/jpeg"
    assert set(Outlet.objects.values_list("district", flat=True)) >= {
        "榕城区",
        "揭东区",
        "揭西县",
        "惠来县",
        "普宁市",
    }
    assert HolidayOverride.objects.filter(date__year=2027).exists()
    assert not Outlet.objects.filter(opening_hours="").exists()

    # 网点预约: every outlet has hours to book; demo_pickup's card waits at demo_clerk's outlet
    # and they have not booked yet; other holders there have
    assert not Outlet.objects.filter(opening_periods__isnull=True).exists()
    pickup = User.objects.get(username="demo_pickup")
    [waiting] = collectable_orders(pickup.person)
    assert waiting.outlet == User.objects.get(username="demo_clerk").outlet
    assert not Appointment.objects.filter(person=pickup.person).exists()
    assert Appointment.objects.filter(outlet=waiting.outlet, purpose="collect").exists()

    # the demo accounts find what happened to them in the 消息中心, the old messages read
    demo_card = User.objects.get(username="demo_card")
    events = set(
        Message.objects.filter(user=demo_card, channel=Channel.INBOX).values_list(
            "notification__event", flat=True
        )
    )
    assert {Event.APPLICATION_ACCEPTED, Event.PRODUCTION_AT_OUTLET, Event.CARD_ENABLED} <= events
    assert Message.objects.filter(user__username="demo_guardian").exists()
    assert Message.objects.filter(user__username="demo_employer").exists()
    assert Message.objects.filter(channel=Channel.INBOX, read_at__isnull=False).exists()
    assert Message.objects.filter(channel=Channel.SMS, status=MessageStatus.PENDING).exists()
    for username in ACCOUNTS:
        assert username in output

    # no plaintext ID number in the database
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc_number FROM accounts_person")
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == Person.objects.count()
    assert not [value for value in stored if CITIZEN_ID.search(value)]

    # every seeded history reads in time order: the steps of each application and of each
    # production order, as they were taken, carry rising times (and production follows approval)
    for application in Application.objects.prefetch_related("events"):
        times = [event.at for event in sorted(application.events.all(), key=lambda e: e.pk)]
        assert times == sorted(times), application.receipt_number
    produced = Application.objects.filter(production_order__isnull=False)
    for application in produced.prefetch_related("production_order__events"):
        events = application.production_order.events.all()
        times = [event.at for event in sorted(events, key=lambda e: e.pk)]
        assert times == sorted(times), application.receipt_number
        assert times[0] >= application.submitted_at, application.receipt_number

    # each step is recorded at its moment in the story (the seeder tells the services when):
    # the receipt number carries the day of submission, the timeline and the audit trail of
    # the application begin at that moment
    first_audit = dict(
        AuditRecord.objects.filter(target_type="applications.application")
        .values_list("target_id")
        .annotate(first=Min("at"))
    )
    for application in Application.objects.prefetch_related("events"):
        day = timezone.localdate(application.submitted_at)
        assert application.receipt_number[6:14] == f"{day:%Y%m%d}", application.receipt_number
        assert min(event.at for event in application.events.all()) == application.submitted_at
        assert first_audit[str(application.pk)] == application.submitted_at

    # a second run changes nothing and still prints the logins
    before = counts()
    again = seed()
    assert counts() == before
    assert "demo_guardian" in again
    assert DEMO_PASSWORD in again


def test_the_seed_names_the_address_it_is_served_at(settings):
    settings.SSCARD_PUBLIC_URL = "http://192.168.1.20:8080"
    settings.SSCARD_SMS_SIMULATOR = True

    lines = "\n".join(address_lines() + staff_login_lines())

    assert "http://192.168.1.20:8080/ " not in lines  # each address ends its phrase cleanly
    assert "http://192.168.1.20:8080/sms-sim/" in lines
    assert "http://192.168.1.20:8080/staff/" in lines
    assert "127.0.0.1" not in lines


def test_role_groups_can_be_set_up_again_without_duplicates():
    first = ensure_role_groups()
    second = ensure_role_groups()

    assert {g.pk for g in first.values()} == {g.pk for g in second.values()}
    assert Group.objects.filter(name__in=[g.name for g in second.values()]).count() == 4
    producer = second[User.Role.PRODUCER]
    codenames = set(producer.permissions.values_list("codename", flat=True))
    assert "change_productionorder" in codenames
    assert "review_application" not in codenames


def test_seed_demo_refuses_a_production_deployment(settings):
    """Published passwords and a published TOTP secret for a superuser never reach real data."""
    settings.SSCARD_ENV = "production"
    with pytest.raises(CommandError, match="SSCARD_ENV=production"):
        seed()
    assert not User.objects.exists()


def test_with_online_payment_the_demos_reissues_are_paid_and_one_waits(settings):
    """``make demo`` turns online payment on: the stories' 补换卡 paid their ¥20 at the simulated
    gateway (our order and its books agree), one 补卡 still waits in 待缴费."""
    from sscard.payments.models import PaymentOrder, SimulatedOrder

    settings.SSCARD_PAYMENTS = True
    seed()

    waiting = Application.objects.filter(status=AppStatus.AWAITING_PAYMENT)
    assert waiting.count() == 1
    assert waiting.get().fee_fen == 2000
    assert Application.objects.filter(item=ItemCode.REISSUE, status=AppStatus.UNPAID).count() == 1
    paid = PaymentOrder.objects.filter(status="paid")
    assert paid.exists()
    assert set(paid.values_list("out_trade_no", flat=True)) == set(
        SimulatedOrder.objects.values_list("out_trade_no", flat=True)
    )
    assert (
        not Application.objects.filter(
            item=ItemCode.REISSUE, fee_fen__gt=0, payment_orders__isnull=True
        )
        .exclude(status__in=(AppStatus.AWAITING_PAYMENT, AppStatus.UNPAID))
        .exists()
    )
