"""A batch's lifecycle is one table: every status has its next ones, a move off the table is
refused (a submitted batch never goes back to 待确认提交), each move on it saves and audits
as the services always did, and 放弃 keeps its own words."""

from __future__ import annotations

import pytest

from sscard.audit.models import AuditRecord
from sscard.core.errors import DomainError, InvalidTransition
from sscard.employers import services
from sscard.employers.models import EMPLOYER_BATCH_TRANSITIONS, Batch
from sscard.employers.transitions import EMPLOYER_BATCH_ACTIONS, employer_batch_transition
from sscard.testing.factories import EmployerBatchFactory

pytestmark = pytest.mark.django_db

Status = Batch.Status
# sorted: each test worker must collect the moves in the same order
MOVES = [(b, to) for b, nexts in EMPLOYER_BATCH_TRANSITIONS.items() for to in sorted(nexts)]


def test_every_status_has_its_moves_and_every_one_is_reached_from_the_upload():
    assert set(EMPLOYER_BATCH_TRANSITIONS) == set(Status)
    assert all(to in Status for _before, to in MOVES)
    assert set(EMPLOYER_BATCH_ACTIONS) == set(MOVES)
    reached, frontier = {Status.VALIDATING}, [Status.VALIDATING]
    while frontier:
        for to in EMPLOYER_BATCH_TRANSITIONS[frontier.pop()] - reached:
            reached.add(to)
            frontier.append(to)
    assert reached == set(Status)
    # submitted and given up are final; every other status leads to one of them
    assert {s for s, nexts in EMPLOYER_BATCH_TRANSITIONS.items() if not nexts} == {
        Status.SUBMITTED,
        Status.CANCELLED,
    }


@pytest.mark.parametrize(
    ("before", "to"),
    [
        (Status.SUBMITTED, Status.READY),
        (Status.CANCELLED, Status.READY),
        (Status.READY, Status.SUBMITTED),  # only through 正在提交
        (Status.FAILED, Status.SUBMITTING),
        (Status.SUBMITTING, Status.CANCELLED),
        (Status.VALIDATING, Status.CANCELLED),
    ],
)
def test_a_move_off_the_table_is_refused_and_changes_nothing(before, to):
    batch = EmployerBatchFactory(status=before)
    audited = AuditRecord.objects.count()
    with pytest.raises(InvalidTransition) as refused:
        employer_batch_transition(batch=batch, to=to, actor=None, notice="不应保存")
    assert refused.value.message == (
        f"批量申领批次状态为“{Status(before).label}”，不能变更为“{Status(to).label}”"
    )
    batch.refresh_from_db()
    assert (batch.status, batch.notice) == (before, "")
    assert AuditRecord.objects.count() == audited


@pytest.mark.parametrize(("before", "to"), MOVES)
def test_each_move_on_the_table_saves_its_fields_and_writes_its_audit_record(before, to):
    batch = EmployerBatchFactory(status=before)
    employer_batch_transition(
        batch=batch, to=to, actor=batch.created_by, detail={"rows": 3}, notice="说明"
    )
    batch.refresh_from_db()
    assert (batch.status, batch.notice) == (to, "说明")
    action = EMPLOYER_BATCH_ACTIONS[(before, to)]
    records = AuditRecord.objects.filter(target_id=str(batch.pk))
    if action is None:  # the system's own steps: the trail has the upload and 确认提交
        assert not records.exists()
    else:
        record = records.get()
        assert (record.action, record.actor_id, record.detail) == (
            action,
            batch.created_by.pk,
            {"rows": 3},
        )


def test_the_keeping_period_sweep_names_its_own_audit_action():
    batch = EmployerBatchFactory(failed=True)
    employer_batch_transition(
        batch=batch, to=Status.CANCELLED, actor=None, action="retention.batch_files_removed"
    )
    assert AuditRecord.objects.get(target_id=str(batch.pk)).action == (
        "retention.batch_files_removed"
    )


def test_giving_up_a_ready_batch_is_audited_and_a_running_one_cannot_be_given_up(agent):
    ready = EmployerBatchFactory(employer=agent.employer, created_by=agent)
    services.batch_cancel(user=agent, batch_id=ready.pk)
    ready.refresh_from_db()
    assert ready.status == Status.CANCELLED
    record = AuditRecord.objects.get(target_id=str(ready.pk))
    assert (record.action, record.actor_id) == ("employer.batch_cancelled", agent.pk)

    running = EmployerBatchFactory(
        employer=agent.employer, created_by=agent, status=Status.SUBMITTING
    )
    with pytest.raises(DomainError) as refused:
        services.batch_cancel(user=agent, batch_id=running.pk)
    assert refused.value.message == "批次正在提交，不能放弃"
    running.refresh_from_db()
    assert running.status == Status.SUBMITTING


def test_a_second_click_on_a_batch_already_on_its_way_changes_nothing(
    agent, django_capture_on_commit_callbacks
):
    batch = EmployerBatchFactory(
        employer=agent.employer, created_by=agent, status=Status.SUBMITTING, submitted_by=agent
    )
    with django_capture_on_commit_callbacks() as queued:
        again = services.batch_submit(user=agent, batch_id=batch.pk)
    assert again.status == Status.SUBMITTING
    assert not queued  # no second submission queued
    assert not AuditRecord.objects.filter(target_id=str(batch.pk)).exists()
