"""What ``/readyz`` asks before the load balancer sends this process any traffic: the
database answers, the cache stores and returns a value, every migration is applied, and the
task queue's table answers (a worker need not be running for the site to serve).

django-health-check's checks run each synchronous one on a thread of its own; ours run on the
request's thread instead (``sync_to_async``), reusing its database connection, and so a test's
transaction is what they see."""

from __future__ import annotations

import dataclasses
import functools

from asgiref.sync import sync_to_async
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from health_check import checks as library
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from sscard.taskqueue.selectors import uses_rq


@dataclasses.dataclass
class Database(library.Database):
    """``SELECT 1`` on the connection."""

    async def run(self) -> None:
        await sync_to_async(super().run)()


@functools.cache
def _code_migrations() -> frozenset[tuple[str, str]]:
    """Every migration of the code this process runs, read from disk once (building the graph
    takes tens of milliseconds: too much for each probe)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def unapplied_migrations(alias: str = "default") -> list[str]:
    """``app.name`` of each migration of the code that the database has not applied: one read
    of Django's table of applied migrations."""
    applied = MigrationRecorder(connections[alias]).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in _code_migrations() - applied.keys())


@dataclasses.dataclass
class Migrations(HealthCheck):
    """The database has every migration of the code this process runs."""

    alias: str = "default"

    async def run(self) -> None:
        await sync_to_async(self._ask)()

    def _ask(self) -> None:
        try:
            unapplied = unapplied_migrations(self.alias)
        except DatabaseError as exc:
            raise ServiceUnavailable("database unavailable") from exc
        if unapplied:
            shown = ", ".join(unapplied[:5]) + (" …" if len(unapplied) > 5 else "")
            raise ServiceUnavailable(f"{len(unapplied)} unapplied: {shown}")


def uses_database_queue(backend: str = "default") -> bool:
    """Whether tasks go to django-tasks-db's table (rather than, say, Redis)."""
    return isinstance(task_backends[backend], DatabaseBackend)


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """django-tasks-db's queue table answers a read."""

    backend: str = "default"

    async def run(self) -> None:
        await sync_to_async(self._ask)()

    def _ask(self) -> None:
        try:
            DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
        except DatabaseError as exc:
            raise ServiceUnavailable("task table unavailable") from exc


@dataclasses.dataclass
class RQTaskQueue(HealthCheck):
    """The Redis of the RQ task queue (``TASKS_REDIS_URL``) answers."""

    backend: str = "default"

    async def run(self) -> None:
        await sync_to_async(self._ask)()

    def _ask(self) -> None:
        import django_rq
        from redis.exceptions import RedisError

        for queue in sorted(task_backends[self.backend].queues):
            try:
                django_rq.get_connection(queue).ping()
            except RedisError as exc:
                raise ServiceUnavailable("task queue's Redis unavailable") from exc


def readiness_checks() -> list[HealthCheck]:
    # the cache: a value set and read back (the upload limits, the reference caches)
    found: list[HealthCheck] = [Database(), library.Cache(), Migrations()]
    if uses_database_queue():
        found.append(TaskQueue())
    elif uses_rq():
        found.append(RQTaskQueue())
    return found
