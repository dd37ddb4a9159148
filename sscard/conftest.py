from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sscard.accounts.models import User
from sscard.regions.selectors import region_settings
from sscard.testing.factories import (
    BankFactory,
    OutletFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.photos import compliant_photo


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A real card photo that meets the spec; serves as a document scan too."""
    return SimpleUploadedFile(name, compliant_photo(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Every test starts with an empty cache: the upload limits count in it, and every test
    client comes from the same address."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def region(db):
    return region_settings()


@pytest.fixture
def bank(db):
    return BankFactory(code="ICBC", name="中国工商银行")


@pytest.fixture
def outlet(db, bank):
    return OutletFactory(code="RC01", name="榕城区社保卡服务中心", bank=bank)


@pytest.fixture
def partners(bank, outlet):
    """The cooperating bank, with its service hotline, and its outlet."""
    bank.hotline = "95588"
    bank.save(update_fields=["hotline"])
    return bank, outlet


@pytest.fixture
def citizen(db):
    return UserFactory()


@pytest.fixture
def reviewer(db):
    return StaffFactory(username="reviewer", role=User.Role.REVIEWER)


@pytest.fixture
def producer(db):
    return StaffFactory(username="producer", role=User.Role.PRODUCER)


@pytest.fixture
def clerk(db, outlet):
    return StaffFactory(username="clerk", role=User.Role.CLERK, outlet=outlet)


@pytest.fixture
def make_orders(region, bank, outlet, reviewer):
    """``make_orders(n, delivery="outlet")``: n approved card applications' orders, written
    directly (the chain to 审核通过 is tested in ``sscard.applications``), for the production
    domain's tests and the production officer's screens."""
    from sscard.applications.models import Application
    from sscard.testing.factories import ApplicationFactory

    def make(n: int = 1, delivery: str = "outlet"):
        orders = []
        for _ in range(n):
            application: Application = ApplicationFactory(
                approved=True,
                bank=bank,
                delivery=delivery,
                outlet=outlet if delivery == "outlet" else None,
                reviewer=reviewer,
            )
            orders.append(application.production_order)
        return orders

    return make


# the browser fixtures: `browser`, `phone`, `desktop` (see sscard.testing.browser)
from sscard.testing.browser import browser, desktop, phone  # noqa: E402, F401

# paying through the simulated gateway: `payments_on`, `gateway_channel`, `reissue_owed`
from sscard.testing.payments import gateway_channel, payments_on, reissue_owed  # noqa: E402, F401

# production's shared cache (Redis) and the sessions in front of it: `shared_cache`
from sscard.testing.redis import shared_cache  # noqa: E402, F401


@pytest.fixture
def texts():
    """The SMS the test sends (codes and notices), starting empty."""
    from sscard.notifications.backends import MemoryBackend

    MemoryBackend.sent.clear()
    yield MemoryBackend.sent
    MemoryBackend.sent.clear()


# an RQ queue of the test's own behind the service's RQ task backend: `rq_queue`
from sscard.testing.rq import rq_queue  # noqa: E402, F401


def pytest_sessionstart(session: pytest.Session) -> None:
    """axe-core's lists of screens checked start empty each run (a worker clears its own)."""
    from sscard.testing.a11y import records_clear

    worker = getattr(session.config, "workerinput", {}).get("workerid")
    records_clear(worker)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """The totals of what the browser tests checked with axe-core, when any ran."""
    from sscard.testing.a11y import checked_totals

    if hasattr(config, "workerinput"):
        return
    totals = checked_totals()
    if totals.states:
        terminalreporter.write_sep("-", "accessibility")
        terminalreporter.write_line(f"{totals} (var/a11y/)")
