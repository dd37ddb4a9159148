from __future__ import annotations

import pytest

from sscard.accounts.models import User
from sscard.backoffice.roles import staff_groups_ensure
from sscard.testing.factories import ApplicationFactory, StaffFactory

STAFF_PASSWORD = "Staff-password-2026"


@pytest.fixture(autouse=True)
def staff_groups(db):
    """The role groups of the data migration (a transactional test's flush removes them)."""
    return staff_groups_ensure()


@pytest.fixture
def admin_user(db):
    return StaffFactory(username="sysadmin", role=User.Role.ADMIN)


@pytest.fixture
def other_reviewer(db):
    return StaffFactory(username="reviewer2", role=User.Role.REVIEWER)


@pytest.fixture
def accepted(db, bank, outlet, reviewer):
    """A 申领 accepted by the reviewer fixture."""
    return ApplicationFactory(accepted=True, bank=bank, outlet=outlet, reviewer=reviewer)


@pytest.fixture
def at_outlet(db, bank, outlet, reviewer, producer, clerk):
    """A 申领 whose card has reached the clerk's outlet and been signed in there."""
    return ApplicationFactory(
        approved=True,
        bank=bank,
        outlet=outlet,
        reviewer=reviewer,
        production_order__at_outlet=True,
    )
