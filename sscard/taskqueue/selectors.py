"""The failed background tasks, from whichever queue the service runs on: RQ's failed-job
registry (``TASKS_REDIS_URL``), else django-tasks-db's table. What is shown of each is the
task's name, when it last failed, its attempts, and the error's type and first line with ID and
phone numbers masked, cut short; never its arguments."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from sscard.core.masking import mask_text

MESSAGE_CHARS = 120
# "package.module.SomeError: what it said" (the last line of a Python traceback)
_EXCEPTION_LINE = re.compile(
    r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|[A-Z]\w*)): ?(.*)$"
)


@dataclass(frozen=True)
class FailedTask:
    id: str
    name: str  # the task's dotted path, e.g. sscard.notifications.tasks.deliver_messages_task
    failed_at: datetime | None
    attempts: int
    error_type: str  # the exception's dotted path ("" when the worker died: no exception)
    error_message: str  # masked, at most MESSAGE_CHARS characters
    store: str  # "rq" or "database"

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def short_error_type(self) -> str:
        return self.error_type.rsplit(".", 1)[-1]


def uses_rq(backend: str = "default") -> bool:
    from sscard.taskqueue.backends import RQBackend

    return isinstance(task_backends[backend], RQBackend)


def error_summary(text: str | None, known_type: str = "") -> tuple[str, str]:
    """(type, message) from a traceback or RQ's note on a dead work-horse: the last non-empty
    line, masked and cut short. ``known_type`` (the exception's dotted path, as recorded when
    it was raised) names the type when the line's is the same class; a line that names no
    exception (the work-horse died) has no type."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    error_type = ""
    found = _EXCEPTION_LINE.match(last)
    if found:
        error_type, last = found.group(1), found.group(2)
        if known_type.rsplit(".", 1)[-1] == error_type.rsplit(".", 1)[-1]:
            error_type = known_type
    elif not lines:
        error_type = known_type
    message = mask_text(last)
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    return error_type, message


def _from_row(row: DBTaskResult) -> FailedTask:
    error_type, message = error_summary(row.traceback, row.exception_class_path)
    return FailedTask(
        id=str(row.pk),
        name=row.task_path,
        failed_at=row.finished_at,
        attempts=max(len(row.worker_ids), 1),  # each worker that took it
        error_type=error_type,
        error_message=message,
        store="database",
    )


def _rq_attempts(job: Any) -> int:
    """RQ keeps a result for each failure that ended in the registry (the first, and one for
    each 重新执行 that failed again), not for those it retried: these are the retries used."""
    from rq.results import Result

    final = [r for r in job.results() if r.type == Result.Type.FAILED]
    retried = len(job.retry_intervals or ()) - (job.retries_left or 0)
    return max(len(final), 1) + max(retried, 0)


def _rq_error(job: Any) -> str:
    latest = job.latest_result()
    return str(getattr(latest, "exc_string", "") or "")


def _from_job(job: Any) -> FailedTask:
    raised = job.meta.get("_django_tasks_rq_exceptions") or [""]
    error_type, message = error_summary(_rq_error(job), raised[-1])
    ended = job.ended_at
    return FailedTask(
        id=job.id,
        name=job.func_name,
        failed_at=ended.replace(tzinfo=UTC) if ended and not ended.tzinfo else ended,
        attempts=_rq_attempts(job),
        error_type=error_type,
        error_message=message,
        store="rq",
    )


def rq_failed_registries() -> list[Any]:
    """The failed-job registry of each queue the backend sends to."""
    import django_rq
    from django_tasks_rq.backend import Job

    queues = sorted(task_backends["default"].queues)
    return [django_rq.get_queue(name, job_class=Job).failed_job_registry for name in queues]


def _rq_failed(limit: int) -> list[FailedTask]:
    from django_tasks_rq.backend import Job

    found = []
    for registry in rq_failed_registries():
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        jobs = Job.fetch_many(ids, connection=registry.connection)
        found += [_from_job(job) for job in jobs if job is not None]
    found.sort(key=lambda t: t.failed_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return found[:limit]


def failed_tasks(*, limit: int = 200) -> list[FailedTask]:
    """The latest ``limit`` failed tasks, newest first."""
    if uses_rq():
        return _rq_failed(limit)
    return [
        _from_row(row) for row in DBTaskResult.objects.failed().order_by("-finished_at")[:limit]
    ]


def failed_task(task_id: str) -> FailedTask | None:
    """One failed task by its id (None when it is not, or no longer, failed)."""
    if uses_rq():
        from django_tasks_rq.backend import Job

        for registry in rq_failed_registries():
            if task_id in registry:
                job = Job.fetch_many([task_id], connection=registry.connection)[0]
                return _from_job(job) if job is not None else None
        return None
    try:
        uuid.UUID(task_id)
    except ValueError:
        return None
    row = DBTaskResult.objects.failed().filter(pk=task_id).first()
    return _from_row(row) if row is not None else None
