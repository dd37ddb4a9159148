"""The load balancer's probes: ``/healthz`` answers as long as the process does, without the
database; ``/readyz`` answers 200 only when the database, the cache, the migrations and the
task queue are all there, and otherwise 503 naming what is not. Neither is redirected to HTTPS
nor rate-limited, whatever the deployment's settings."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from sscard.monitoring.health import unapplied_migrations

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# the production settings a probe meets behind the balancer: HTTPS enforced, HSTS
PRODUCTION = {"SECURE_SSL_REDIRECT": True, "SECURE_HSTS_SECONDS": 31536000}


def _lines(answer) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in answer.content.decode().splitlines())


def test_healthz_answers_without_touching_the_database(client):
    """No ``django_db`` mark: pytest-django fails any database access; the cache either."""
    with mock.patch("django.core.cache.cache.get", side_effect=AssertionError("cache read")):
        answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.content == b"ok\n"
    assert "no-cache" in answer["Cache-Control"]


@pytest.mark.django_db
def test_healthz_runs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_the_probes_are_not_sent_to_https_nor_limited():
    with override_settings(**PRODUCTION):
        client = Client()  # loads the middleware under these settings
        answers = [client.get(path) for path in ["/healthz", "/readyz"] * 30]
        assert {a.status_code for a in answers} == {200}
        # everything else is redirected to HTTPS as before
        assert client.get("/").status_code == 301
        assert client.get("/healthz/extra").status_code == 301


@pytest.mark.django_db
def test_readyz_lists_every_check_ok(client):
    with override_settings(TASKS=DB_QUEUE):
        answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    assert _lines(answer) == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        "Migrations(alias='default')": "OK",
        "TaskQueue(backend='default')": "OK",
    }


@pytest.mark.django_db
def test_readyz_names_the_database_when_it_does_not_answer(client):
    with mock.patch.object(
        connection, "temporary_connection", side_effect=OperationalError("server closed")
    ):
        answer = client.get("/readyz")
    assert answer.status_code == 503
    lines = _lines(answer)
    assert lines["Database(alias='default')"].startswith("Unavailable")
    assert lines["Cache(alias='default')"] == "OK"


@pytest.mark.django_db
def test_readyz_names_the_cache_when_it_does_not_answer(client):
    with mock.patch(
        "django.core.cache.backends.locmem.LocMemCache.set",
        side_effect=RedisConnectionError("Connection refused"),
    ):
        answer = client.get("/readyz", HTTP_ACCEPT="application/json")
    assert answer.status_code == 503
    assert answer["Content-Type"] == "application/json"
    body = json.loads(answer.content)
    assert body["Cache(alias='default')"] == "Unexpected Result: Connection Error"
    assert body["Database(alias='default')"] == "OK"


@pytest.mark.django_db
def test_readyz_names_an_unapplied_migration(client):
    assert unapplied_migrations() == []
    MigrationRecorder(connection).migration_qs.filter(
        app="notifications", name="0001_initial"
    ).delete()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert _lines(answer)["Migrations(alias='default')"] == (
        "Unavailable: 1 unapplied: notifications.0001_initial"
    )


@pytest.mark.django_db
def test_readyz_names_the_task_queue_when_its_table_does_not_answer(client):
    with (
        override_settings(TASKS=DB_QUEUE),
        mock.patch(
            "django_tasks_db.models.DBTaskResult.objects.filter",
            side_effect=OperationalError("no such table: django_tasks_database_dbtaskresult"),
        ),
    ):
        answer = client.get("/readyz?format=json")
    assert answer.status_code == 503
    assert json.loads(answer.content)["TaskQueue(backend='default')"] == (
        "Unavailable: task table unavailable"
    )


@pytest.mark.django_db
def test_readyz_asks_the_rq_queues_redis_when_tasks_go_there(client, rq_queue):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert _lines(answer)["RQTaskQueue(backend='default')"] == "OK"

    with mock.patch("redis.Redis.ping", side_effect=RedisConnectionError("refused")):
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert "task queue's Redis unavailable" in _lines(answer)["RQTaskQueue(backend='default')"]
