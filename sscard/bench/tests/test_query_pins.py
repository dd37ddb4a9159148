"""Every request the benchmark sends costs an exact number of statements, pinned here: a page
that grows a query fails. The requests are the benchmark's own plans (``sscard.bench.prepare``:
the same sessions, cookies, CSRF header, forms, photo and signed partner requests), replayed
with CSRF checks on against a small generated population, and counted as
``manage.py bench_profile`` counts them.

The tests commit as the server does (a transactional test): the reference caches fill and are
read as in production, ``on_commit`` work runs, and tasks are queued in the database rather
than run inline. Each pin is taken once the scenario is warm — the second time a read session
asks, the second 挂失→解挂 cycle of a session, the second applicant, the second order at each
stage — as the benchmark's steady state is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from sscard.bench import prepare
from sscard.bench.generate import generate
from sscard.bench.profile import counted, read_requests, recording
from sscard.bench.tests.helpers import send
from sscard.regions.models import Outlet
from sscard.testing.factories import ApplicationFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Statements a request, with the default cache (each process's memory). Counted as
# bench_profile counts them: every statement Django executes, savepoints included, but not a
# transaction's BEGIN (which SQLite is sent and PostgreSQL's driver sends itself) and COMMIT,
# so the numbers hold on both databases. A change that lowers one lowers its number here, with
# its reason.
PINS = {
    # the session, the user (with person)
    "floor": 2,
    # session, user, the newest card request (with its order and subject), its stage events
    "progress": 4,
    # session, user, the card (with bank and holder)
    "status": 3,
    # session, user, OTP device, the page's rows, their count (a filter that finds none
    # reads no rows: 4)
    "queue": 5,
    "queue_filtered": 5,
    # 挂失 → 确认 → 解挂 → 确认, a face-verified (L4) citizen's second cycle (确认: 42 before
    # the card was read once under its lock and audit records stopped opening a savepoint)
    "loss: 临时挂失 page posted": 8,
    "loss: 临时挂失 确认 posted": 33,
    "loss: 解挂 page posted": 8,
    "loss: 解挂 确认 posted": 33,
    # 申领 for oneself: the item page posted (draft saved), its 确认 posted (submitted); 13/25
    # and 14/26 before eligibility was checked once a POST and audit records opened no savepoint
    "apply: page posted": 11,
    "apply: 确认 posted": 23,
    "apply_photo: page posted (photo checked)": 11,
    "apply_photo: 确认 posted": 24,
    # a bank's signed stage report, one order's event a request (网点签收 also tells the
    # holder the card is ready to collect); 43/33/46 before an event became one transaction
    "partner_events: 制卡中": 30,
    "partner_events: 市银行签收": 23,
    "partner_events: 网点签收": 33,
}

# PostgreSQL also asks for the Idempotency-Key's advisory lock (a copy sent while the first is
# running hears 409); SQLite's writers queue behind one another instead
ON_POSTGRESQL = {step: 1 for step in PINS if step.startswith("partner_events")}


def pin(step: str) -> int:
    return PINS[step] + (ON_POSTGRESQL.get(step, 0) if connection.vendor == "postgresql" else 0)


SEED = 3


@pytest.fixture
def population(bench_pages: None, settings: Any) -> None:
    # tasks are queued in the database as the server queues them (the tests run them inline)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    generate(60, seed=SEED, chunk=60)


def statements(client: Client, request: dict[str, Any]) -> tuple[int, list[str]]:
    """The statements one planned request costs, after checking its answer is the plan's."""
    with recording() as sqls:
        answer = send(client, request)
    assert answer.status_code == request.get("expect", 200), answer
    if request.get("location", "-") != "-":
        assert answer["Location"].startswith(request["location"])
    return counted(sqls), sqls


@pytest.fixture(autouse=True)
def warm_caches_stay_warm(settings):
    """A pin counts a warm page: the reference caches keep what the warm-up read for the whole
    test (the per-process cache's few seconds may lapse between warm-up and count on a loaded
    machine, and the page would then read them again)."""
    settings.SSCARD_REFERENCE_CACHE_SECONDS = 300


def measured(client: Client, steps: dict[str, dict[str, Any]]) -> dict[str, int]:
    out = {}
    for step, request in steps.items():
        out[step], sqls = statements(client, request)
        if out[step] != pin(step):  # the statements, to see what changed
            print(f"{step}: {out[step]} statements\n" + "\n".join(f"  {s}" for s in sqls))
    return out


def pinned(*steps: str) -> dict[str, int]:
    return {step: pin(step) for step in steps}


@pytest.mark.parametrize("scenario", ["floor", "progress", "status", "queue", "queue_filtered"])
def test_a_read_page_costs_its_pinned_statements(population, tmp_path: Path, scenario: str):
    if scenario == "queue_filtered":  # the filter finds a row on the small population too
        outlet = Outlet.objects.order_by("code").first()
        assert outlet is not None
        ApplicationFactory(accepted=True, outlet=outlet, bank=outlet.bank)
    prepare.prepare_reads(scenario, tmp_path, seed=SEED, sessions=2)
    first = read_requests(tmp_path)[0]
    client = Client(enforce_csrf_checks=True)
    send(client, first)  # the session's first request warms the caches
    assert measured(client, {scenario: first}) == pinned(scenario)


def test_reporting_a_loss_and_cancelling_it_cost_their_pinned_statements(population, tmp_path):
    prepare.prepare_loss(tmp_path, seed=SEED, threads=1, cycles=2)
    plan = read_requests(tmp_path)
    client = Client(enforce_csrf_checks=True)
    for request in plan[:4]:  # the first cycle warms the caches
        send(client, request)
    steps = dict(
        zip(
            [
                "loss: 临时挂失 page posted",
                "loss: 临时挂失 确认 posted",
                "loss: 解挂 page posted",
                "loss: 解挂 确认 posted",
            ],
            plan[4:],
            strict=True,
        )
    )
    assert measured(client, steps) == pinned(*steps)


@pytest.mark.parametrize("photo", [False, True], ids=["apply", "apply_photo"])
def test_applying_for_a_card_costs_its_pinned_statements(population, tmp_path, photo: bool):
    meta = prepare.prepare_apply(tmp_path, seed=SEED, threads=1, per_thread=2, photo=photo)
    plan = read_requests(tmp_path)
    client = Client(enforce_csrf_checks=True)
    for request in plan[:2]:  # the first applicant warms the caches
        send(client, request)
    name = meta["scenario"]
    page = f"{name}: page posted (photo checked)" if photo else f"{name}: page posted"
    steps = dict(zip([page, f"{name}: 确认 posted"], plan[2:], strict=True))
    assert measured(client, steps) == pinned(*steps)


def test_a_partners_stage_reports_cost_their_pinned_statements(population, tmp_path):
    # a batch of three orders: each stage reported for the first, then pinned for the second
    # (the third stays behind: the batch is not done, as a big batch is not for long)
    prepare.prepare_partner(tmp_path, seed=SEED, threads=1, per_thread=9, orders=3)
    plan = read_requests(tmp_path)
    client = Client(enforce_csrf_checks=True)
    counts: dict[str, int] = {}
    for n, stage in enumerate(("制卡中", "市银行签收", "网点签收")):
        send(client, plan[3 * n])
        counts |= measured(client, {f"partner_events: {stage}": plan[3 * n + 1]})
    assert counts == pinned(*counts)
