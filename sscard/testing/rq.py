"""An RQ queue of the test's own on the test Redis (db 13 unless ``SSCARD_TEST_RQ_URL``), with
the service's RQ backend in front of it; its keys are deleted after the test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from django.test import override_settings

from sscard.testing.redis import redis_listening

RQ_URL = os.environ.get("SSCARD_TEST_RQ_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def rq_queue() -> Iterator[str]:
    """The default task backend is RQ on a queue named for this test; its name is returned."""
    if not redis_listening(RQ_URL):
        if os.environ.get("CI"):
            pytest.fail(f"no Redis at {RQ_URL}: every CI machine runs one")
        pytest.skip(f"no Redis at {RQ_URL}")
    name = f"test-{uuid.uuid4().hex}"
    tasks = {
        "default": {
            "BACKEND": "sscard.taskqueue.backends.RQBackend",
            "QUEUES": [name],
            "OPTIONS": {"RETRY_INTERVALS": []},
        }
    }
    # "default" too: django-tasks-rq fetches a result over the default queue's connection
    queues = {name: {"URL": RQ_URL}, "default": {"URL": RQ_URL}}
    with override_settings(TASKS=tasks, RQ_QUEUES=queues):
        import django_rq

        queue = django_rq.get_queue(name)
        try:
            yield name
        finally:
            registries = (
                queue.failed_job_registry,
                queue.finished_job_registry,
                queue.started_job_registry,
                queue.scheduled_job_registry,
            )
            ids = set(queue.get_job_ids())
            for registry in registries:
                ids |= set(registry.get_job_ids(cleanup=False))
            keys = list(queue.connection.scan_iter(f"*{name}*"))
            for job_id in ids:
                keys += list(queue.connection.scan_iter(f"rq:*{job_id}*"))
            if keys:
                queue.connection.delete(*keys)


def work(name: str) -> None:
    """Run every job of the queue ``name`` in this process until none is left (RQ's burst
    mode, without forking: the job sees the test's database transaction)."""
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue(name, job_class=Job)
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    worker.work(burst=True, with_scheduler=False)
