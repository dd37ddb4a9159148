"""Several reviewers deciding on one employer at the same instant, over real parallel
connections: one decision is taken (one audit row, one notice), every other reviewer is told
who decided first. Run on PostgreSQL (row locks) and on the file-backed SQLite test database."""

from __future__ import annotations

import pytest

from sscard.accounts.models import Employer, User
from sscard.audit.models import AuditRecord
from sscard.employers import review
from sscard.notifications.models import Notification
from sscard.testing.factories import EmployerFactory, StaffFactory
from sscard.testing.races import assert_no_crashes, refusals, run_at_once, succeeded

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 6


def test_reviewers_deciding_at_once_take_one_decision_and_the_others_are_told():
    employer = EmployerFactory(pending=True, licence=True, contact_phone="13800138000")
    reviewers = [StaffFactory(username=f"reviewer{i}", role=User.Role.REVIEWER) for i in range(N)]

    def decide(i: int):
        actor = User.objects.get(pk=reviewers[i].pk)
        if i % 2:
            return lambda: (
                review.employer_refuse(
                    employer_id=employer.pk, actor=actor, reason="单位名称与执照不符"
                ).status
            )
        return lambda: review.employer_approve(employer_id=employer.pk, actor=actor).status

    outcomes = run_at_once(*[decide(i) for i in range(N)])
    assert_no_crashes(outcomes)
    decided = [(o.index, o.result) for o in succeeded(outcomes)]
    refused = refusals(outcomes)
    assert len(decided) == 1 and len(refused) == N - 1
    [(winner, status)] = decided
    employer.refresh_from_db()
    assert employer.status == status
    assert employer.reviewed_by_id == reviewers[winner].pk
    assert {error.code for error in refused} == {"already_decided"}
    assert all(
        f"该单位已由reviewer{winner}于" in error.message and "您的操作未执行" in error.message
        for error in refused
    ), [error.message for error in refused]
    decisions = AuditRecord.objects.filter(action__in=("employer.approved", "employer.refused"))
    assert decisions.count() == 1
    assert Notification.objects.filter(employer=employer).count() == 1
    assert Employer.objects.filter(pk=employer.pk, status=Employer.Status.PENDING).count() == 0
