"""失败任务: the 系统管理员 sees the background tasks that failed — name, time, attempts, the
error's type and a short message with ID numbers masked, never the task's arguments — and runs
one again after confirming it, audited; on the database queue and on RQ alike."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from sscard.audit.models import AuditRecord
from sscard.taskqueue import selectors
from sscard.taskqueue.tests import jobs
from sscard.testing.factories import UserFactory
from sscard.testing.rq import work
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LIST = reverse("backoffice:failed_tasks")


def _db_worker() -> None:
    # as `manage.py db_worker` runs them (its connection recycling left out: it would close
    # the test's transaction)
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def _requeue(client, task_id: str, *, confirm: bool):
    url = reverse("backoffice:failed_task_requeue", kwargs={"task_id": task_id})
    return client.post(url, {"confirm": "yes"} if confirm else {})


@override_settings(TASKS=DB_QUEUE)
def test_the_administrator_sees_a_failed_task_of_the_database_queue_without_personal_data(
    admin_user,
):
    result = jobs.failing_task.enqueue(jobs.LEAKY_PHONE)  # an argument that is personal data
    _db_worker()

    page = staff_client(admin_user).get(LIST)

    assert page.status_code == 200
    text = page.content.decode()
    assert "failing_task" in text and "ValueError" in text
    assert "4452**********1234" in text and "资料未找到" in text
    assert jobs.LEAKY_ID not in text
    assert jobs.LEAKY_PHONE not in text and "138****8000" not in text  # no argument at all
    assert str(result.id) in text  # the 重新执行 form's address


@override_settings(TASKS=DB_QUEUE)
def test_requeue_asks_for_confirmation_then_runs_the_task_again_and_is_audited(admin_user):
    account = UserFactory()
    result = jobs.failing_task.enqueue(account.username + "-not-yet")
    _db_worker()
    client = staff_client(admin_user)

    confirm = _requeue(client, str(result.id), confirm=False)
    assert confirm.status_code == 200
    assert "确认重新执行" in confirm.content.decode()
    assert DBTaskResult.objects.get(pk=result.id).status == "FAILED"  # nothing done yet

    done = _requeue(client, str(result.id), confirm=True)
    assert done.status_code == 302 and done["Location"] == LIST
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY"
    record = AuditRecord.objects.get(action="task.requeued")
    assert record.actor_id == admin_user.pk
    assert record.detail["task"] == "sscard.taskqueue.tests.jobs.failing_task"
    assert record.detail["error"] == "ValueError" and record.detail["queue"] == "database"
    assert selectors.failed_tasks() == []

    _db_worker()  # runs (and fails) once more: back in the list, a second attempt counted
    [again] = selectors.failed_tasks()
    assert again.attempts == 2

    twice = _requeue(client, str(result.id), confirm=True)
    assert twice.status_code == 302
    _requeue(client, str(result.id), confirm=True)  # a second click, after it left the list
    assert AuditRecord.objects.filter(action="task.requeued").count() == 2


@override_settings(TASKS=DB_QUEUE)
def test_a_task_no_longer_failed_cannot_be_requeued(admin_user):
    result = jobs.ok_task.enqueue("someone")
    _db_worker()
    client = staff_client(admin_user)

    answer = _requeue(client, str(result.id), confirm=True)
    assert answer.status_code == 302
    assert "已不在失败列表中" in client.get(LIST).content.decode()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert not AuditRecord.objects.filter(action="task.requeued").exists()
    assert _requeue(client, "not-a-task-id", confirm=True).status_code == 302


def test_the_administrator_sees_and_requeues_a_failed_task_of_rq(
    admin_user, rq_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = jobs.failing_task.using(queue_name=rq_queue).enqueue(jobs.LEAKY_PHONE)
    work(rq_queue)
    client = staff_client(admin_user)

    text = client.get(LIST).content.decode()
    assert "RQ（Redis）" in text and "failing_task" in text and "ValueError" in text
    assert jobs.LEAKY_ID not in text and jobs.LEAKY_PHONE not in text

    with django_capture_on_commit_callbacks(execute=True):
        assert _requeue(client, result.id, confirm=True).status_code == 302
    assert selectors.failed_tasks() == []
    record = AuditRecord.objects.get(action="task.requeued")
    assert record.detail["queue"] == "rq" and record.detail["task_id"] == result.id

    UserFactory(username=jobs.LEAKY_PHONE)  # what it lacked is there now
    work(rq_queue)
    assert selectors.failed_tasks() == []
    from django_tasks import task_backends

    assert task_backends["default"].get_result(result.id).status == "SUCCESSFUL"
