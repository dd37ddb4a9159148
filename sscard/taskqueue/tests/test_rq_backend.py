"""The RQ queue as the service runs it (``TASKS_REDIS_URL``): a task that fails is run again
after its backoff and, failing every time, lands in the failed-job registry with its error; a
task enqueued inside a transaction reaches Redis only when the transaction commits."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django_tasks import task_backends

from sscard.taskqueue import selectors
from sscard.taskqueue.backends import RQBackend
from sscard.taskqueue.tests import jobs
from sscard.testing.rq import work

pytestmark = pytest.mark.django_db


def _queue(name: str):
    import django_rq
    from django_tasks_rq import Job

    return django_rq.get_queue(name, job_class=Job)


def _with_retries(name: str, intervals: list[int]):
    return override_settings(
        TASKS={
            "default": {
                "BACKEND": "sscard.taskqueue.backends.RQBackend",
                "QUEUES": [name],
                "OPTIONS": {"RETRY_INTERVALS": intervals},
            }
        }
    )


def test_settings_with_a_redis_url_choose_the_rq_queue_and_its_retries():
    backend = RQBackend("default", {"OPTIONS": {"RETRY_INTERVALS": ["10", "60", "300"]}})
    retry = backend.retry()
    assert retry is not None
    assert (retry.max, retry.intervals) == (3, [10, 60, 300])
    assert RQBackend("default", {"OPTIONS": {"RETRY_INTERVALS": []}}).retry() is None


def test_a_task_failing_every_time_is_retried_then_kept_as_failed_with_its_error(
    rq_queue, django_capture_on_commit_callbacks
):
    with _with_retries(rq_queue, [0, 0]), django_capture_on_commit_callbacks(execute=True):
        result = jobs.failing_task.using(queue_name=rq_queue).enqueue("nobody")
    with _with_retries(rq_queue, [0, 0]):
        work(rq_queue)

        [failed] = selectors.failed_tasks()
    assert failed.id == result.id
    assert failed.name == "sscard.taskqueue.tests.jobs.failing_task"
    assert failed.attempts == 3  # the first and two retries
    assert failed.error_type == "builtins.ValueError"
    assert jobs.LEAKY_ID not in failed.error_message and "资料未找到" in failed.error_message
    assert failed.failed_at is not None


def test_a_task_that_fails_once_succeeds_on_its_retry(rq_queue, django_capture_on_commit_callbacks):
    key = uuid.uuid4().hex
    with _with_retries(rq_queue, [0]):
        with django_capture_on_commit_callbacks(execute=True):
            result = jobs.flaky_task.using(queue_name=rq_queue).enqueue(key)
        work(rq_queue)

        assert selectors.failed_tasks() == []
        done = task_backends["default"].get_result(result.id)
    assert done.status == "SUCCESSFUL"
    assert done.return_value == "ok"
    assert cache.get(f"flaky:{key}") == 1  # its first attempt ran, and failed


def test_without_retries_a_failure_goes_straight_to_the_failed_list(
    rq_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.failing_task.using(queue_name=rq_queue).enqueue("nobody")
    work(rq_queue)
    assert [t.attempts for t in selectors.failed_tasks()] == [1]


def test_inside_a_transaction_the_job_reaches_redis_only_when_it_commits(
    rq_queue, django_capture_on_commit_callbacks
):
    queue = _queue(rq_queue)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.ok_task.using(queue_name=rq_queue).enqueue("someone")
    assert queue.count == 0  # not while the transaction is open
    for callback in callbacks:
        callback()
    assert queue.count == 1

    def change_that_fails() -> None:
        with transaction.atomic():
            jobs.ok_task.using(queue_name=rq_queue).enqueue("someone")
            raise RuntimeError("the change is rolled back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        change_that_fails()
    assert callbacks == []
    assert queue.count == 1  # nothing for the change that rolled back


def test_outside_a_transaction_the_job_is_pushed_at_once(rq_queue):
    queue = _queue(rq_queue)
    # as in a request or a command outside any transaction (the test's own one set aside)
    backend = task_backends["default"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transaction.get_connection(), "in_atomic_block", False)
        backend.enqueue(jobs.ok_task.using(queue_name=rq_queue), ["someone"], {})
    assert queue.count == 1


def test_each_failed_attempt_is_told_with_its_error(rq_queue, django_capture_on_commit_callbacks):
    from django_tasks.signals import task_finished

    heard = []

    def hear(sender, task_result, **kwargs):
        heard.append((str(task_result.status), task_result.errors[-1].exception_class_path))

    task_finished.connect(hear, weak=False)
    try:
        with _with_retries(rq_queue, [0]):
            with django_capture_on_commit_callbacks(execute=True):
                jobs.failing_task.using(queue_name=rq_queue).enqueue("nobody")
            work(rq_queue)
    finally:
        task_finished.disconnect(hear)
    # the first attempt (retried) and the second (kept as failed): the task.finished log lines
    assert heard == [("FAILED", "builtins.ValueError")] * 2


@pytest.mark.parametrize(
    ("text", "known", "summary"),
    [
        (
            "Traceback (most recent call last):\n"
            "  ...\n"
            "ValueError: 证件号 445202199001011234 不对\n",
            "builtins.ValueError",
            ("builtins.ValueError", "证件号 4452**********1234 不对"),
        ),
        # the work-horse died after an earlier attempt had raised: no exception this time
        (
            "Work-horse terminated unexpectedly; waitpid returned 9 (signal 9); ",
            "builtins.ValueError",
            ("", "Work-horse terminated unexpectedly; waitpid returned 9 (signal 9);"),
        ),
        ("httpx.ConnectTimeout: timed out", "", ("httpx.ConnectTimeout", "timed out")),
        ("", "builtins.KeyError", ("builtins.KeyError", "")),
    ],
)
def test_the_error_shown_is_the_last_line_masked_and_its_type(text, known, summary):
    assert selectors.error_summary(text, known) == summary
    long = selectors.error_summary("RuntimeError: " + "很长" * 200)[1]
    assert len(long) == selectors.MESSAGE_CHARS and long.endswith("…")
