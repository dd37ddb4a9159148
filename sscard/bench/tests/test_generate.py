"""The benchmark's data generator at a tiny size, and its actors driven through the real
request path (no timing: the figures come from scripts/bench.py)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from sscard.accounts.models import Person, identity_hash, phone_hash
from sscard.applications.constants import AppStatus, ItemCode
from sscard.applications.models import Application
from sscard.bench import prepare
from sscard.bench.generate import citizen_id, generate
from sscard.bench.profile import read_requests
from sscard.bench.tests.helpers import send
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.core import crypto
from sscard.core.documents import DocType, validate_document
from sscard.production.constants import Stage
from sscard.production.models import ProductionOrder

SIZE = 400


class _Rollback(Exception):
    pass


def _snapshot() -> list[tuple]:
    return list(
        Person.objects.order_by("identity_hash").values_list(
            "identity_hash", "name", "birth_date", "cards__status", "applications__status"
        )
    )


@pytest.fixture
def generated(db):
    return generate(SIZE, seed=3, chunk=150)


def test_every_state_is_covered(generated):
    assert Person.objects.count() == SIZE == generated.people
    assert set(Card.objects.values_list("status", flat=True)) == set(CardStatus.values)
    # first issues (the generated 申领) owe nothing: never 待缴费 or 未缴费
    unpaid = {AppStatus.AWAITING_PAYMENT, AppStatus.UNPAID}
    assert (
        set(Application.objects.values_list("status", flat=True)) == set(AppStatus.values) - unpaid
    )
    assert set(ProductionOrder.objects.values_list("stage", flat=True)) == set(Stage.values)
    # one person, one live card; one open card request each (the models' own constraints hold)
    assert Application.objects.filter(item=ItemCode.APPLY).count() == sum(
        generated.applications.values()
    )


def test_id_numbers_are_valid_and_unique(generated):
    today = timezone.localdate()
    numbers = [p.doc_number for p in Person.objects.all()]
    assert len(set(numbers)) == SIZE
    for person in Person.objects.all():
        facts = validate_document(DocType.RESIDENT_ID, person.doc_number, today=today)
        assert facts.birth_date == person.birth_date
        assert facts.gender == person.gender
    assert len({citizen_id(i, 3)[0] for i in range(50_000)}) == 50_000


def test_personal_data_is_encrypted_and_readable_like_the_services_write_it(generated):
    person = Person.objects.filter(phone__isnull=False).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT doc_number, phone, address FROM accounts_person WHERE id = %s", [person.pk]
        )
        raw_doc, raw_phone, raw_address = cursor.fetchone()
    assert person.doc_number not in raw_doc and person.phone not in raw_phone
    context = b"accounts.person.doc_number"
    assert crypto.decrypt(raw_doc, context=context) == person.doc_number
    assert crypto.decrypt(raw_address, context=b"accounts.person.address") == person.address
    # the lookups the services make find the generated people
    assert (
        Person.objects.get(identity_hash=identity_hash(person.doc_type, person.doc_number))
        == person
    )
    assert Person.objects.filter(phone_hash=phone_hash(person.phone)).exists()
    application = Application.objects.filter(subject=person).first()
    if application is not None:
        assert application.form_data["doc_number"] == person.doc_number


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    runs = []
    for _ in range(2):
        try:
            with transaction.atomic():
                generate(120, seed=9)
                runs.append(_snapshot())
                raise _Rollback
        except _Rollback:
            pass
    assert runs[0] == runs[1] and len(runs[0]) >= 120


@pytest.mark.django_db
def test_the_command_generates_once_a_database(capsys):
    call_command("bench_data", "10", "--seed", "4", "--no-progress")
    assert "10 people" in capsys.readouterr().out
    assert Person.objects.count() == 10
    with pytest.raises(CommandError, match="already holds bench data"):
        call_command("bench_data", "10", "--seed", "5", "--no-progress")


def test_baseline_endpoint_is_off_by_default(client: Client, db):
    assert client.get("/bench/baseline").status_code == 404


def _replay(plan_dir):
    """The plan's requests with their own cookies and CSRF header, CSRF checks enforced."""
    client = Client(enforce_csrf_checks=True)
    statuses = []
    for r in read_requests(plan_dir):
        response = send(client, r)
        statuses.append(f"{response.status_code} {response.get('Location', '')}")
    return statuses


def test_read_sessions_open_the_citizen_pages(generated, tmp_path):
    prepare.prepare_reads("status", tmp_path, seed=3, sessions=4)
    statuses = _replay(tmp_path)
    assert statuses and all(s.startswith("200") for s in statuses)


def test_loss_plan_reports_and_cancels_through_the_portal(generated, tmp_path, monkeypatch):
    meta = prepare.prepare_loss(tmp_path, seed=3, threads=1, cycles=2)
    statuses = _replay(tmp_path)
    assert [s[:3] for s in statuses] == ["302"] * 8
    card = Card.objects.get(pk=meta["cards"][0])
    assert card.status == CardStatus.ACTIVE  # 挂失 then 解挂, twice
    rows = prepare.check_rows(meta, 4, "")
    assert rows["rows"] == 4 and rows["duplicated"] == 0


def test_apply_plan_submits_once_each_without_a_photo(generated, tmp_path):
    meta = prepare.prepare_apply(tmp_path, seed=3, threads=1, per_thread=2, photo=False)
    statuses = _replay(tmp_path)
    assert [s.split(" ")[1].split("/")[1] for s in statuses] == ["drafts", "my"] * 2
    assert all(s.startswith("302") for s in statuses)
    locations = "\n".join(s.split(" ")[1] for s in statuses[1::2])
    rows = prepare.check_rows(meta, 2, locations)
    assert rows == {"confirmed": 2, "rows": 2, "lost": 0, "duplicated": 0, "late": 0}
    # the region's 免交照片年龄, lifted for the run, is back
    from sscard.regions.selectors import region_settings

    assert region_settings().photo_exempt_age == 0


def test_partner_plan_is_signed_and_moves_orders_once_per_stage(generated, tmp_path):
    meta = prepare.prepare_partner(tmp_path, seed=3, threads=1, per_thread=7, orders=2)
    statuses = _replay(tmp_path)
    assert [s[:3] for s in statuses] == ["200"] * 7
    rows = prepare.check_rows(meta, 7, "")
    # 2 orders × 制卡中, 市银行签收, 网点签收; the seventh report repeats one and adds nothing
    assert rows["stage_events"] == 6 and rows["duplicated"] == 0 and rows["lost"] == 0
    assert set(
        ProductionOrder.objects.filter(pk__in=meta["orders"]).values_list("stage", flat=True)
    ) == {Stage.OUTLET}


def test_baseline_endpoint_answers_small_json_once_enabled(client: Client, settings, db):
    import importlib

    from django.urls import clear_url_caches

    import config.urls

    settings.SSCARD_BENCH_BASELINE = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        response = client.get("/bench/baseline")
        assert response.status_code == 200
        assert response.json() == {"ok": True, "service": "sscard"}
    finally:
        settings.SSCARD_BENCH_BASELINE = False
        importlib.reload(config.urls)
        clear_url_caches()
    assert client.get("/bench/baseline").status_code == 404
