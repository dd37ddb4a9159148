"""django-tasks-rq's backend as the service runs it (``TASKS_REDIS_URL``):

* **Retries with backoff.** A task that raises, or whose work-horse process dies (killed, out
  of memory), or that is abandoned by a worker that died whole, is run again by RQ after
  ``OPTIONS["RETRY_INTERVALS"]`` seconds (default 10, 60, 300: three more attempts); then it
  lies in RQ's failed-job registry, where the 系统管理员 sees it and runs it again
  (``/staff/tasks/failed/``). django-tasks-rq itself passes no ``Retry`` to RQ: this backend
  does. Every task of the service may run twice (each one's docstring says why).
* **Pushed when the change commits.** Inside a transaction the job reaches Redis only once the
  transaction commits (as django-tasks-db's row commits with it): a worker never runs a task
  for a row it cannot see yet, and a change that rolls back enqueues nothing. If Redis cannot
  be reached at that moment the change stands and the push is logged as lost (each periodic
  sweep finds what such a task would have done: the outbox, stalled batches).

Workers run ``manage.py rqworker --job-class django_tasks_rq.Job --with-scheduler``: the
scheduler moves retries and ``run_after`` tasks back to the queue when they are due.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, TypeVar

import django_rq
from django.db import transaction
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskError
from django_tasks.signals import task_enqueued, task_finished
from django_tasks.utils import get_module_path, get_random_id
from django_tasks_rq import RQBackend as LibraryBackend
from django_tasks_rq.backend import Job, success_callback
from rq import Retry
from rq.job import Callback, JobStatus
from typing_extensions import ParamSpec

logger = logging.getLogger("sscard.tasks")

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_RETRY_INTERVALS = (10, 60, 300)


def failed_callback(
    job: Job, connection: Any, exception_class: type[BaseException], exception: Any, tb: Any
) -> None:
    """django-tasks-rq's, except that the task's ``task.finished`` line names the exception of
    this attempt (RQ keeps a result, which the library reads the error from, only for the
    failure that ends the retries)."""
    path = get_module_path(exception_class)
    job.meta.setdefault("_django_tasks_rq_exceptions", []).append(path)
    job.save_meta()
    result = job.task_result
    object.__setattr__(result, "status", TaskResultStatus.FAILED)
    if not result.errors or result.errors[-1].exception_class_path != path:
        result.errors.append(TaskError(exception_class_path=path, traceback=""))
    task_finished.send(type(result.task.get_backend()), task_result=result)


class RQBackend(LibraryBackend):
    """django-tasks-rq's RQBackend with retries and the push deferred to the commit."""

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        intervals = self.options.get("RETRY_INTERVALS", DEFAULT_RETRY_INTERVALS)
        self.retry_intervals: list[int] = [int(seconds) for seconds in intervals]

    def retry(self) -> Retry | None:
        if not self.retry_intervals:
            return None
        return Retry(max=len(self.retry_intervals), interval=self.retry_intervals)

    def enqueue(
        self,
        task: Task[P, T],
        args: P.args,  # type: ignore[valid-type]
        kwargs: P.kwargs,  # type: ignore[valid-type]
    ) -> TaskResult[T]:
        self.validate_task(task)
        result: TaskResult[T] = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        push = partial(self._push, task, result)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(partial(self._push_after_commit, push, task), robust=False)
        else:
            push()
        return result

    @staticmethod
    def _push_after_commit(push: Any, task: Task[Any, Any]) -> None:
        try:
            push()
        except Exception:  # the change committed: it stands, the periodic sweeps catch up
            logger.exception("task.enqueue_lost task=%s", task.module_path)

    def _push(self, task: Task[Any, Any], result: TaskResult[Any]) -> None:
        queue = django_rq.get_queue(task.queue_name, job_class=Job)
        job = queue.create_job(
            task.module_path,
            args=result.args,
            kwargs=result.kwargs,
            job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
            retry=self.retry(),
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)
