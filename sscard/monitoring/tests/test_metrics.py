"""The Prometheus metrics at ``/ops/metrics``: only the operator's networks (and, when one is
set, the operator's token) reach them; they hold django-prometheus's request and query
counters and the service's own gauges, whose values are the database's at the scrape."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.checks.registry import registry
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from sscard.accounts.tasks import deactivate_stale_staff_task
from sscard.monitoring.checks import metrics_not_open_to_all
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import Message, Notification
from sscard.testing.factories import ApplicationFactory, PersonFactory

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.9"  # an address of no network of the operator's
TOKEN = "s3cret-scrape-token"


def _samples(answer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.content.decode())
        for s in family.samples
    }


def test_the_metrics_answer_the_loopback_and_refuse_any_other_address(client):
    inside = client.get("/ops/metrics")  # the test client comes from 127.0.0.1
    assert inside.status_code == 200
    assert inside["Content-Type"].startswith("text/plain; version=")
    outside = client.get("/ops/metrics", REMOTE_ADDR=OUTSIDE)
    assert outside.status_code == 403
    assert b"sscard_" not in outside.content and b"django_" not in outside.content


@override_settings(SSCARD_TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_the_proxy_the_clients_own_address_counts(client):
    """The reverse proxy on the loopback forwards an outsider's request: refused."""
    assert client.get("/ops/metrics", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 403
    assert client.get("/ops/metrics", HTTP_X_FORWARDED_FOR="::1").status_code == 200


@override_settings(SSCARD_METRICS_TOKEN=TOKEN)
def test_with_a_token_set_the_metrics_need_it_too(client):
    assert client.get("/ops/metrics").status_code == 403
    assert client.get("/ops/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/ops/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 403
    assert client.get("/ops/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    # the token does not open them to an address outside the networks
    refused = client.get("/ops/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", REMOTE_ADDR=OUTSIDE)
    assert refused.status_code == 403


@override_settings(SSCARD_METRICS_TOKEN=TOKEN, SSCARD_METRICS_ALLOWED_NETWORKS=[])
def test_with_no_networks_named_the_token_alone_decides(client):
    assert client.get("/ops/metrics", REMOTE_ADDR=OUTSIDE).status_code == 403
    allowed = client.get("/ops/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", REMOTE_ADDR=OUTSIDE)
    assert allowed.status_code == 200


@override_settings(SSCARD_METRICS_ALLOWED_NETWORKS=["10.8.0.0/16"])
def test_the_networks_are_the_settings(client):
    assert client.get("/ops/metrics").status_code == 403  # the loopback is no longer named
    assert client.get("/ops/metrics", REMOTE_ADDR="10.8.3.4").status_code == 200


def test_check_deploy_warns_when_the_metrics_would_answer_anyone():
    deployment = registry.get_checks(include_deployment_checks=True)
    assert metrics_not_open_to_all in deployment
    assert metrics_not_open_to_all() == []  # the defaults: the loopback only
    with override_settings(SSCARD_METRICS_ALLOWED_NETWORKS=[]):
        assert [w.id for w in metrics_not_open_to_all()] == ["monitoring.W001"]
        with override_settings(SSCARD_METRICS_TOKEN=TOKEN):
            assert metrics_not_open_to_all() == []


def _message(status: str, *, age: timedelta) -> Message:
    notification = Notification.objects.create(
        event=Event.APPLICATION_ACCEPTED, person=PersonFactory()
    )
    message = Message.objects.create(
        notification=notification,
        channel=Channel.SMS,
        address_masked="138****5678",
        title="受理",
        body="您的申请已受理",
        status=status,
    )
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - age)
    return message


def test_the_gauges_count_what_the_database_holds(client):
    today = timezone.localdate()
    past_due = today - timedelta(days=3)
    ApplicationFactory.create_batch(2)  # 已提交
    ApplicationFactory(accepted=True)  # within its time limit
    ApplicationFactory(accepted=True, due_on=past_due)  # 已超期
    ApplicationFactory(approved=True, due_on=past_due)  # 已超期: approved, card not made yet
    ApplicationFactory(returned=True, due_on=past_due)  # paused for correction: not overdue
    ApplicationFactory(completed=True, due_on=past_due)  # 办结: neither open nor overdue
    ApplicationFactory(rejected=True)
    _message(MessageStatus.PENDING, age=timedelta(minutes=10))
    _message(MessageStatus.PENDING, age=timedelta(minutes=2))
    _message(MessageStatus.SENDING, age=timedelta(minutes=1))
    _message(MessageStatus.SENT, age=timedelta(hours=5))
    _message(MessageStatus.FAILED, age=timedelta(hours=6))
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        deactivate_stale_staff_task.enqueue()
        deactivate_stale_staff_task.enqueue()
        later = timezone.now() + timedelta(hours=1)
        deactivate_stale_staff_task.using(run_after=later).enqueue()  # not ready yet
        samples = _samples(client.get("/ops/metrics"))

    def status(value: str) -> tuple[tuple[str, str], ...]:
        return (("status", value),)

    assert samples[("sscard_applications_open", status("submitted"))] == 2
    assert samples[("sscard_applications_open", status("accepted"))] == 2
    assert samples[("sscard_applications_open", status("approved"))] == 1
    assert samples[("sscard_applications_open", status("returned"))] == 1
    assert not any(n == "sscard_applications_open" and "completed" in str(k) for n, k in samples)
    assert samples[("sscard_applications_overdue", ())] == 2
    assert samples[("sscard_outbox_unsent_messages", status("pending"))] == 2
    assert samples[("sscard_outbox_unsent_messages", status("sending"))] == 1
    assert samples[("sscard_outbox_oldest_unsent_age_seconds", ())] == pytest.approx(600, abs=30)
    assert samples[("sscard_task_queue_ready", ())] == 2


def test_the_page_holds_the_request_and_query_counters(client):
    client.get("/healthz")
    samples = _samples(client.get("/ops/metrics"))
    names = {name for name, _labels in samples}
    assert "django_http_requests_total_by_method_total" in names
    assert "django_db_execute_total" in names  # the database backend counts its queries
    assert samples[("sscard_outbox_oldest_unsent_age_seconds", ())] == 0
    # requests are counted by view name, and the probes' show under theirs
    assert any(
        name == "django_http_responses_total_by_status_view_method_total"
        and ("view", "monitoring:healthz") in labels
        for name, labels in samples
    )


def test_the_gauges_cost_the_scrape_four_queries_whatever_the_data(
    client, django_assert_num_queries
):
    ApplicationFactory.create_batch(3, accepted=True)
    _message(MessageStatus.PENDING, age=timedelta(minutes=1))
    # open applications by status, overdue ones, the outbox by status, ready tasks
    with (
        override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}),
        django_assert_num_queries(4),
    ):
        assert client.get("/ops/metrics").status_code == 200


def test_failed_tasks_are_counted_for_the_operator(client):
    from sscard.taskqueue.tests import jobs

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        jobs.failing_task.enqueue("nobody")
        jobs.ok_task.enqueue("nobody")
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        jobs.ok_task.enqueue("nobody")
        samples = _samples(client.get("/ops/metrics"))
    assert samples[("sscard_tasks_failed", ())] == 1
    assert samples[("sscard_task_queue_ready", ())] == 1


def test_the_rq_queue_is_counted_from_redis(client, rq_queue, django_capture_on_commit_callbacks):
    from sscard.taskqueue.tests import jobs
    from sscard.testing.rq import work

    with django_capture_on_commit_callbacks(execute=True):
        jobs.failing_task.using(queue_name=rq_queue).enqueue("nobody")
    work(rq_queue)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.ok_task.using(queue_name=rq_queue).enqueue("nobody")
    samples = _samples(client.get("/ops/metrics"))
    assert samples[("sscard_tasks_failed", ())] == 1
    assert samples[("sscard_task_queue_ready", ())] == 1
