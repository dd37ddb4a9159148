"""The Prometheus metrics page: django-prometheus's counters of requests and database queries,
and the service's own gauges, read from the database when Prometheus scrapes (a handful of
grouped counts on indexed columns), never on a citizen's request:

* ``sscard_applications_open{status}``: applications (办件) open, by status;
* ``sscard_applications_overdue``: accepted or approved, not paused for correction, past their
  legal date (已超期, as the review queue counts it);
* ``sscard_outbox_unsent_messages{status}``: SMS and WeChat messages waiting or being sent;
* ``sscard_outbox_oldest_unsent_age_seconds``: how long the oldest of them has waited (0: none);
* ``sscard_task_queue_ready``: tasks ready for a worker, in django-tasks-db's table or RQ's
  queue;
* ``sscard_tasks_failed``: tasks that failed after their retries (the 系统管理员's 失败任务).

With several worker processes, each keeps its own request counters: point
``PROMETHEUS_MULTIPROC_DIR`` at an empty folder before they start (``make serve`` does) and
the page adds up every process's (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from sscard.applications.selectors import applications_open_by_status, applications_overdue
from sscard.monitoring.health import uses_database_queue
from sscard.notifications.selectors import outbox_backlog
from sscard.taskqueue.selectors import uses_rq


class ServiceCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        open_now = GaugeMetricFamily(
            "sscard_applications_open", "Applications open, by status.", labels=["status"]
        )
        for status, count in applications_open_by_status().items():
            open_now.add_metric([status], count)
        yield open_now
        yield GaugeMetricFamily(
            "sscard_applications_overdue",
            "Applications accepted or approved, not paused, past their legal date.",
            value=applications_overdue().count(),
        )
        backlog = outbox_backlog()
        unsent = GaugeMetricFamily(
            "sscard_outbox_unsent_messages",
            "SMS and WeChat messages not sent yet, by status.",
            labels=["status"],
        )
        for status, count in backlog.by_status.items():
            unsent.add_metric([status], count)
        yield unsent
        oldest = backlog.oldest_created_at
        yield GaugeMetricFamily(
            "sscard_outbox_oldest_unsent_age_seconds",
            "Seconds the oldest unsent message has waited (0 when none waits).",
            value=max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0,
        )
        ready, failed = task_queue_counts()
        if ready is not None:
            yield GaugeMetricFamily(
                "sscard_task_queue_ready", "Tasks ready for a worker in the queue.", value=ready
            )
        if failed is not None:
            yield GaugeMetricFamily(
                "sscard_tasks_failed",
                "Tasks that failed after their retries, kept for /staff/tasks/failed/.",
                value=failed,
            )


def task_queue_counts() -> tuple[int | None, int | None]:
    """(ready, failed) tasks: one query on the database queue, two Redis reads on RQ."""
    if uses_database_queue():
        due = Q(run_after=get_date_max()) | Q(run_after__lte=timezone.now())
        counts = DBTaskResult.objects.aggregate(
            ready=Count("pk", filter=Q(status=TaskResultStatus.READY) & due),
            failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
        )
        return counts["ready"], counts["failed"]
    if uses_rq():
        import django_rq

        queues = [django_rq.get_queue(name) for name in sorted(task_backends["default"].queues)]
        return (
            sum(queue.count for queue in queues),
            sum(queue.failed_job_registry.count for queue in queues),
        )
    return None, None


def exposition() -> bytes:
    """The page in Prometheus's text format: the process's (or every process's) metrics,
    then the service's gauges."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    service = CollectorRegistry(auto_describe=False)
    service.register(ServiceCollector())
    return generate_latest(processes) + generate_latest(service)
