"""Several reviewers deciding on one employer at the same instant, over real parallel
connections: one decision is taken (one audit row, one notice), every other reviewer is told
who decided first. Run on PostgreSQL (row locks) and on the file-backed SQLite test database."""

from __future__ import annotations

import threading
import traceback

import pytest
from django.db import connection

from sscard.accounts.models import Employer, User
from sscard.audit.models import AuditRecord
from sscard.core.errors import DomainError
from sscard.employers import review
from sscard.notifications.models import Notification
from sscard.testing.factories import EmployerFactory, StaffFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 6
JOIN_TIMEOUT = 90


def test_reviewers_deciding_at_once_take_one_decision_and_the_others_are_told():
    employer = EmployerFactory(pending=True, licence=True, contact_phone="13800138000")
    reviewers = [StaffFactory(username=f"reviewer{i}", role=User.Role.REVIEWER) for i in range(N)]
    barrier = threading.Barrier(N)
    lock = threading.Lock()
    decided: list[tuple[int, str]] = []
    refused: list[DomainError] = []
    crashes: list[str] = []

    def run(i: int) -> None:
        try:
            actor = User.objects.get(pk=reviewers[i].pk)
            barrier.wait(timeout=JOIN_TIMEOUT)
            try:
                if i % 2:
                    result = review.employer_refuse(
                        employer_id=employer.pk, actor=actor, reason="单位名称与执照不符"
                    )
                else:
                    result = review.employer_approve(employer_id=employer.pk, actor=actor)
            except DomainError as error:
                with lock:
                    refused.append(error)
            else:
                with lock:
                    decided.append((i, result.status))
        except Exception:  # anything else is a server error
            with lock:
                crashes.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    assert crashes == [], "\n".join(crashes)
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
