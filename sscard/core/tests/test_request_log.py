"""One JSON line per request and per task (production's ``SSCARD_LOG_FORMAT=json``): what was
asked, how it ended, how long it took, which account, and the request id a support call
quotes — never a name, an ID number or a phone number; a task's line names the request that
enqueued it, even when a worker process runs it later."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from sscard.accounts.trust import TrustLevel
from sscard.core.logs import MaskPersonalData, json_formatter, plain_formatter
from sscard.testing.deployment import PRODUCTION_ENV, deployment_settings
from sscard.testing.factories import UserFactory
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

ID = "445202199001011234"
PHONE = "13812345678"


@pytest.fixture
def console():
    """What the configured console handler writes, in production's JSON format."""
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, MaskPersonalData) for f in h.filters)
    ]
    assert isinstance(handler, logging.StreamHandler)
    out = io.StringIO()
    previous_stream, previous_formatter = handler.setStream(out), handler.formatter
    handler.setFormatter(json_formatter())
    yield out
    handler.setFormatter(previous_formatter)
    handler.setStream(previous_stream)


def _records(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()]  # every line is JSON


def _one(out: io.StringIO, event: str) -> dict:
    (record,) = [r for r in _records(out) if r["event"] == event]
    return record


def test_production_writes_json_and_the_demo_the_human_format():
    production = deployment_settings(PRODUCTION_ENV, "SSCARD_LOG_FORMAT", "LOGGING")
    assert production["SSCARD_LOG_FORMAT"] == "json"
    assert production["LOGGING"]["handlers"]["console"]["formatter"] == "json"
    demo = deployment_settings({"SSCARD_ENV": "dev"}, "SSCARD_LOG_FORMAT")
    assert demo["SSCARD_LOG_FORMAT"] == "plain"
    chosen = deployment_settings({**PRODUCTION_ENV, "SSCARD_LOG_FORMAT": "plain"}, "LOGGING")
    assert chosen["LOGGING"]["handlers"]["console"]["formatter"] == "plain"


def test_a_request_leaves_one_json_line_with_its_fields(client, console):
    answer = client.get("/bundles/?q=1")
    record = _one(console, "http.request")
    assert record == {
        "event": "http.request",
        "method": "GET",
        "path": "/bundles/",  # never the query string
        "status": answer.status_code,
        "duration_ms": record["duration_ms"],
        "user_id": None,
        "request_id": answer["X-Request-ID"],
        "level": "info",
        "logger": "sscard.requests",
        "timestamp": record["timestamp"],
    }
    assert isinstance(record["duration_ms"], float) and record["duration_ms"] > 0
    assert record["timestamp"].endswith("Z")


def test_a_signed_in_request_names_the_account_by_id_only(client, console):
    user = UserFactory()
    sign_in(client, user, TrustLevel.L4)
    client.get(reverse("portal:applications"))
    record = _one(console, "http.request")
    assert record["user_id"] == user.pk and record["status"] == 200
    person = user.person
    for personal in (person.name, person.doc_number, person.phone, user.username):
        assert personal not in console.getvalue()


def test_an_id_number_posted_or_a_phone_number_in_the_path_never_shows(client, console):
    client.post(reverse("portal:login"), {"username": ID, "password": "wrong-password-1"})
    client.get(f"/messages/{PHONE}/")
    written = console.getvalue()
    assert ID not in written and PHONE not in written
    paths = [r["path"] for r in _records(console) if r["event"] == "http.request"]
    assert paths == ["/login/", "/messages/138****5678/"]
    # Django's own "Not Found" line, in the same format, masked too and naming the request
    (not_found,) = [r for r in _records(console) if r["event"].startswith("Not Found")]
    assert not_found["event"] == "Not Found: /messages/138****5678/"
    assert not_found["level"] == "warning"


def test_every_record_a_request_writes_carries_its_id(client, console):
    answer = client.get(f"/messages/{PHONE}/")
    records = _records(console)
    assert {r["event"].split(":")[0] for r in records} == {"http.request", "Not Found"}
    assert {r["request_id"] for r in records} == {answer["X-Request-ID"]}


@pytest.mark.urls("sscard.core.tests.error_urls")
def test_the_500_pages_number_is_the_log_lines_request_id(console):
    from django.test import Client

    answer = Client(raise_request_exception=False).get(f"/broken/{ID}/")
    assert answer.status_code == 500
    record = _one(console, "http.request")
    assert record["status"] == 500
    assert f"错误编号：{record['request_id']}" in answer.content.decode()
    (failure,) = [r for r in _records(console) if r["level"] == "error" and "exception" in r]
    assert ID not in failure["exception"] and "4452**********1234" in failure["exception"]
    assert failure["request_id"] == record["request_id"]


def test_the_probes_are_logged_at_debug_only(client, console):
    client.get("/healthz")
    assert [r for r in _records(console) if r["event"] == "http.request"] == []
    logging.getLogger("sscard.requests").setLevel(logging.DEBUG)
    try:
        client.get("/healthz")
    finally:
        logging.getLogger("sscard.requests").setLevel(logging.NOTSET)
    assert _one(console, "http.request")["level"] == "debug"


def test_the_human_format_keeps_one_line_with_the_fields(client):
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, MaskPersonalData) for f in h.filters)
    ]
    out = io.StringIO()
    previous_stream, previous_formatter = handler.setStream(out), handler.formatter
    handler.setFormatter(plain_formatter())
    try:
        answer = client.get(f"/messages/{PHONE}/")
    finally:
        handler.setFormatter(previous_formatter)
        handler.setStream(previous_stream)
    (line,) = [line for line in out.getvalue().splitlines() if "http.request" in line]
    assert line.split(" ", 2)[2] == (
        "INFO sscard.requests http.request method=GET path=/messages/138****5678/ status=404 "
        f"duration_ms={line.split('duration_ms=')[1].split()[0]} "
        f"request_id={answer['X-Request-ID']}"
    )


# ---------------------------------------------------------------------------------------------
# Tasks


@pytest.mark.urls("sscard.core.tests.task_urls")
def test_a_task_run_at_once_names_the_request_that_enqueued_it(client, console):
    answer = client.get("/enqueue/")
    finished = _one(console, "task.finished")
    assert finished["task"] == "sscard.core.tests.task_urls.echo_task"
    assert finished["task_id"] == answer.content.decode()
    assert finished["state"] == "SUCCESSFUL"
    assert isinstance(finished["duration_ms"], float)
    assert finished["request_id"] == answer["X-Request-ID"]


@pytest.mark.urls("sscard.core.tests.task_urls")
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_a_task_run_later_by_the_worker_names_the_request_that_enqueued_it(client, console):
    answer = client.get("/enqueue/")
    request_id = answer["X-Request-ID"]
    assert [r["event"] for r in _records(console)] == ["http.request"]  # queued, not run

    # the worker as `manage.py db_worker` runs it (its connection recycling left out: it would
    # close the test's transaction)
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    finished = _one(console, "task.finished")
    assert finished["state"] == "SUCCESSFUL"  # the function never saw the id among its arguments
    assert finished["task_id"] == answer.content.decode()
    assert finished["request_id"] == request_id
    # what the task itself logged carries it too
    assert _one(console, "echo hello")["request_id"] == request_id


def test_a_task_enqueued_outside_any_request_has_no_request_id(console):
    from sscard.accounts.tasks import deactivate_stale_staff_task

    deactivate_stale_staff_task.enqueue()
    finished = _one(console, "task.finished")
    assert finished["state"] == "SUCCESSFUL"
    assert "request_id" not in finished or finished["request_id"] is None


def test_every_task_of_the_service_carries_the_enqueuing_request():
    """A task made with django-tasks' own decorator would lose the request id on its way."""
    import importlib
    import pkgutil

    from django_tasks.base import Task

    import sscard
    from sscard.core.tasks import TracedTask

    tasks = [
        value
        for app in pkgutil.iter_modules(sscard.__path__)
        if (Path(sscard.__path__[0]) / app.name / "tasks.py").exists()
        for value in vars(importlib.import_module(f"sscard.{app.name}.tasks")).values()
        if isinstance(value, Task)
    ]
    assert len(tasks) > 15
    assert [t.module_path for t in tasks if not isinstance(t, TracedTask)] == []
