"""Audit records written at the same instant on parallel connections join one chain."""

import pytest
from django.db import transaction

from sscard.audit.models import AuditRecord
from sscard.audit.selectors import verify_trail
from sscard.audit.services import audit_record
from sscard.testing.races import needs_row_locks, results, run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]


@needs_row_locks
def test_parallel_writers_do_not_fork_the_chain():
    audit_record(actor=None, action="card.active")

    def write(i: int) -> int:
        with transaction.atomic():
            first = audit_record(actor=None, action="race.first", detail={"thread": i})
            second = audit_record(actor=None, action="race.second", detail={"thread": i})
        return second.seq - first.seq

    gaps = results(run_at_once(*[lambda i=i: write(i) for i in range(8)]))

    assert gaps == [1] * 8  # a transaction's records follow each other
    verdict = verify_trail()
    assert verdict.broken is None
    assert verdict.verified == AuditRecord.objects.count() == 17
