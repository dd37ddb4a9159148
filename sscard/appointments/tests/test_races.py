"""Capacity is never oversold: twenty holders racing for the last place of a half hour, each
on its own database connection — one gets it, the others read that it is full; and twenty
clicks of one 预约 form make one booking. Real row locks on PostgreSQL; SQLite queues the
writers (BEGIN IMMEDIATE)."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta

import pytest

from sscard.accounts.models import User
from sscard.appointments.constants import Purpose
from sscard.appointments.models import Appointment
from sscard.appointments.services import SLOT_FULL, appointment_book, outlet_hours_set
from sscard.appointments.tests.conftest import MONDAY
from sscard.production.models import ProductionOrder
from sscard.testing.factories import ProductionOrderFactory, UserFactory
from sscard.testing.races import run_at_once, tally

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 20
TUESDAY = date(2026, 9, 29)


def book(argument: tuple[User, ProductionOrder, uuid.UUID | None]) -> Appointment:
    user, order, key = argument
    return appointment_book(
        user=user,
        purpose=Purpose.COLLECT,
        order=order,
        day=TUESDAY,
        starts=time(9, 0),
        submission_key=key,
        now=MONDAY,
    )


def holders(n: int, bank, outlet) -> list[tuple[int, int]]:
    pairs = []
    for i in range(n):
        user = UserFactory(person__birth_date=date(1980, 1, 1) + timedelta(days=i))
        order = ProductionOrderFactory(at_outlet=True, person=user.person, bank=bank, outlet=outlet)
        pairs.append((user.pk, order.pk))
    return pairs


def load(user_pk: int, order_pk: int, key: uuid.UUID | None = None):
    return (User.objects.get(pk=user_pk), ProductionOrder.objects.get(pk=order_pk), key)


def test_twenty_holders_racing_for_the_last_place_one_gets_it(region, bank, outlet):
    outlet_hours_set(outlet=outlet, actor=None, capacity=3)
    people = holders(N + 2, bank, outlet)
    for user_pk, order_pk in people[:2]:  # two of the three places are taken already
        book(load(user_pk, order_pk))
    racers = people[2:]
    outcome = tally(run_at_once(*[book] * N, prepare=lambda i: load(*racers[i])))
    assert outcome.crashes == [], "\n".join(outcome.crashes)
    assert len(outcome.results) == 1
    assert outcome.messages == [SLOT_FULL] * (N - 1)
    assert Appointment.objects.filter(day=TUESDAY, starts=time(9, 0)).count() == 3


def test_twenty_clicks_of_one_booking_form_book_once(region, bank, outlet):
    outlet_hours_set(outlet=outlet, actor=None, capacity=3)
    [(user_pk, order_pk)] = holders(1, bank, outlet)
    key = uuid.uuid4()
    outcome = tally(run_at_once(*[book] * N, prepare=lambda i: load(user_pk, order_pk, key)))
    assert outcome.crashes == [], "\n".join(outcome.crashes)
    assert outcome.refusals == []
    assert len({appointment.pk for _, appointment in outcome.results}) == 1
    assert Appointment.objects.count() == 1


def test_twenty_different_forms_of_one_holder_book_one_half_hour(region, bank, outlet):
    """Two tabs, or a form sent again after a reload: one booking per matter."""
    outlet_hours_set(outlet=outlet, actor=None, capacity=30)
    [(user_pk, order_pk)] = holders(1, bank, outlet)
    outcome = tally(
        run_at_once(*[book] * N, prepare=lambda i: load(user_pk, order_pk, uuid.uuid4()))
    )
    assert outcome.crashes == [], "\n".join(outcome.crashes)
    assert len(outcome.results) == 1 and len(outcome.refusals) == N - 1
    assert Appointment.objects.count() == 1
