"""Background tasks (django-tasks) that remember the request that asked for them.

Every task of the service is made with :func:`task` (not django-tasks' own decorator): when it
is enqueued during a request, the request's id travels with it in its stored keyword
arguments (``_request_id``); when a worker runs it, the id is taken out before the function
sees its arguments and bound to the logging context, so that whatever the task logs — and any
task it enqueues in turn — names the request a support call quotes. Each task that ends leaves
one log line, ``task.finished``: task, task id, state, duration and that request id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

import structlog
from django.dispatch import receiver
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.base import Task
from django_tasks.signals import task_finished
from typing_extensions import ParamSpec

P = ParamSpec("P")
T = TypeVar("T")

REQUEST_ID_KWARG = "_request_id"

task_log = structlog.get_logger("sscard.tasks")


def _enqueuing_request() -> dict[str, str]:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return {REQUEST_ID_KWARG: request_id} if request_id else {}


def _bound(kwargs: dict[str, Any]) -> AbstractContextManager[None]:
    request_id = kwargs.pop(REQUEST_ID_KWARG, None)
    if not request_id:
        return nullcontext()
    return structlog.contextvars.bound_contextvars(request_id=request_id)


class TracedTask(Task[P, T]):
    """django-tasks' Task, carrying the enqueuing request's id from ``enqueue`` to ``call``."""

    __slots__ = ()

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> TaskResult[T]:
        return self.get_backend().enqueue(self, args, {**kwargs, **_enqueuing_request()})

    async def aenqueue(self, *args: P.args, **kwargs: P.kwargs) -> TaskResult[T]:
        return await self.get_backend().aenqueue(self, args, {**kwargs, **_enqueuing_request()})

    def call(self, *args: P.args, **kwargs: P.kwargs) -> T:
        with _bound(kwargs):
            return super().call(*args, **kwargs)

    async def acall(self, *args: P.args, **kwargs: P.kwargs) -> T:
        with _bound(kwargs):
            return await super().acall(*args, **kwargs)


def task(**options: Any) -> Callable[[Callable[P, T]], TracedTask[P, T]]:
    """``@task()`` as django-tasks has it (priority, queue_name, backend, takes_context)."""

    def wrapper(function: Callable[P, T]) -> TracedTask[P, T]:
        return TracedTask(func=function, **options)

    return wrapper


@receiver(task_finished, dispatch_uid="sscard.core.tasks.log_task_finished")
def log_task_finished(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
    started, finished = task_result.started_at, task_result.finished_at
    duration = (finished - started).total_seconds() if started and finished else None
    failed = task_result.status == TaskResultStatus.FAILED
    error = task_result.errors[-1].exception_class_path if task_result.errors else None
    task_log.log(
        logging.ERROR if failed else logging.INFO,
        "task.finished",
        task=task_result.task.module_path,
        task_id=task_result.id,
        state=str(task_result.status),
        duration_ms=round(duration * 1000, 1) if duration is not None else None,
        error=error if failed else None,
        request_id=task_result.kwargs.get(REQUEST_ID_KWARG),
    )
