"""重新执行: the 系统管理员 puts a failed task back in its queue, audited. On the database queue
its row is ready again (the same id; the workers that took it are kept, so its attempts go on
counting); on RQ the job leaves the failed-job registry for its queue (RQ's own requeue).
Either way it runs once more, with no retries of its own left: if it fails again it is back in
the list."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.taskqueue.selectors import (
    FailedTask,
    failed_task,
    rq_failed_registries,
    uses_rq,
)

GONE = "该任务已不在失败列表中（可能已被他人重新执行），请刷新后查看"


@transaction.atomic
def failed_task_requeue(*, task_id: str, actor: Any) -> FailedTask:
    """Run a failed task again; refused when it is not (or no longer) failed."""
    found = failed_task(task_id)
    if found is None:
        raise DomainError(GONE, code="not_failed")
    if found.store == "database":
        requeued = DBTaskResult.objects.filter(pk=found.id, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY,
            run_after=get_date_max(),
            started_at=None,
            finished_at=None,
        )
        if not requeued:  # another administrator's click came first
            raise DomainError(GONE, code="not_failed")
    audit_record(
        actor=actor,
        action="task.requeued",
        detail={
            "task": found.name,
            "task_id": found.id,
            "queue": found.store,
            "error": found.short_error_type,
            "attempts": found.attempts,
        },
    )
    if found.store == "rq" and uses_rq():
        # last: Redis is outside the transaction, which then only has to commit
        from rq.exceptions import InvalidJobOperation, NoSuchJobError

        for registry in rq_failed_registries():
            try:
                registry.requeue(found.id)
            except (InvalidJobOperation, NoSuchJobError):  # not in this queue's registry
                continue
            break
        else:
            raise DomainError(GONE, code="not_failed")
    return found
