"""The migration that brought the chain in chains the records written before it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sscard.audit.chain import GENESIS
from sscard.audit.models import AuditRecord
from sscard.audit.selectors import verify_trail
from sscard.audit.services import audit_record

BEFORE = [("audit", "0002_append_only")]


@pytest.mark.django_db(transaction=True)
def test_records_written_before_the_chain_are_chained_oldest_first():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("audit", "AuditRecord")
    written = [
        old.objects.create(action="card.active", detail={"receipt": "R1", "fee": 20.0}).pk,
        old.objects.create(action="card.lost", actor_label="reviewer1").pk,
        old.objects.create(action="card.found", target_id="42").pk,
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    chained = list(AuditRecord.objects.order_by("seq"))
    assert [(r.pk, r.seq) for r in chained] == list(zip(written, [1, 2, 3], strict=True))
    assert chained[0].prev_hash == GENESIS
    assert audit_record(actor=None, action="card.cancelled").prev_hash == chained[-1].hash
    verdict = verify_trail()
    assert (verdict.broken, verdict.verified) == (None, 4)
