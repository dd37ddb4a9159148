from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sscard.appointments.services import outlet_hours_set
from sscard.testing.factories import ProductionOrderFactory, UserFactory

LOCAL = ZoneInfo("Asia/Shanghai")
# a Monday morning; Thursday 1 October is 国庆节, Saturday 10 October a working day (调休)
MONDAY = datetime(2026, 9, 28, 10, 0, tzinfo=LOCAL)


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY


@pytest.fixture
def hours(outlet):
    """The outlet open Monday to Friday 08:30-12:00 and 14:30-17:30, two bookings a half hour."""
    return outlet_hours_set(outlet=outlet, actor=None, capacity=2)


@pytest.fixture
def holder(db, bank, outlet):
    """A citizen whose card waits at the outlet (网点签收)."""
    user = UserFactory()
    ProductionOrderFactory(at_outlet=True, person=user.person, bank=bank, outlet=outlet)
    return user


@pytest.fixture
def waiting(holder):
    return holder.person.orders.get()
