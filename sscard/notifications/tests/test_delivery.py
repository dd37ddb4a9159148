"""Delivery from the outbox: retries with growing delays, then 失败 with the error; a message
claimed once; a dead worker's message taken over after its lease."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sscard.accounts.models import User
from sscard.audit.models import AuditRecord
from sscard.core.errors import DomainError
from sscard.notifications import delivery, services
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import Message
from sscard.notifications.tasks import deliver_messages_task
from sscard.testing.factories import PersonFactory, StaffFactory
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db


def one_sms() -> Message:
    person = PersonFactory(phone="13812345678")
    services.notify(Event.PRODUCTION_PRODUCING, person=person)
    return Message.objects.get(channel=Channel.SMS)


class Gateway:
    """A local HTTP SMS gateway that answers after ``delay`` seconds."""

    def __init__(self, delay: float, answer: dict | None = None, status: int = 200) -> None:
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append(
                    {"json": json.loads(body), "auth": self.headers["Authorization"]}
                )
                time.sleep(delay)
                payload = json.dumps(answer or {"code": "0", "message_id": "GW-1"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_sms(settings):
    settings.SSCARD_SMS_BACKEND = "sscard.notifications.backends.HttpSmsBackend"
    settings.SSCARD_SMS_GATEWAY_KEY = "gateway-token"
    settings.SSCARD_SMS_TEMPLATE_ID = "SMS_NOTICE"
    settings.SSCARD_SMS_TIMEOUT = 0.3
    settings.SSCARD_NOTIFY_MAX_ATTEMPTS = 4
    settings.SSCARD_NOTIFY_BACKOFF_SECONDS = 60
    gateways: list[Gateway] = []

    def start(**kwargs) -> Gateway:
        gateway = Gateway(**kwargs)
        gateways.append(gateway)
        settings.SSCARD_SMS_GATEWAY_URL = gateway.url
        return gateway

    yield start
    for gateway in gateways:
        gateway.close()


def test_the_http_gateway_gets_the_signed_text_and_the_message_id(http_sms):
    gateway = http_sms(delay=0)
    sms = one_sms()

    assert delivery.outbox_deliver() == 1

    (request,) = gateway.requests
    assert request["auth"] == "Bearer gateway-token"
    assert request["json"] == {
        "phone": "13812345678",
        "sign": "揭阳人社",
        "template_id": "SMS_NOTICE",
        "params": {"content": sms.body},
        "content": f"【揭阳人社】{sms.body}",
        "out_id": str(sms.key),
    }
    sms.refresh_from_db()
    assert (sms.status, sms.provider_ref, sms.attempts) == (MessageStatus.SENT, "GW-1", 1)


def test_a_gateway_timing_out_is_retried_with_growing_delays_then_fails_with_the_error(
    http_sms, client
):
    gateway = http_sms(delay=2)
    sms = one_sms()
    start = timezone.now()
    delays = []

    with time_machine.travel(start, tick=True) as traveller:
        for attempt in range(1, 5):
            assert delivery.outbox_deliver() == 0
            sms.refresh_from_db()
            assert sms.attempts == attempt
            assert sms.last_error == "短信网关超时（0.3秒无响应）"
            if attempt < 4:
                assert sms.status == MessageStatus.PENDING
                delays.append(round((sms.next_attempt_at - timezone.now()).total_seconds()))
                # not before its time
                assert delivery.outbox_deliver() == 0
                assert Message.objects.get(pk=sms.pk).attempts == attempt
                traveller.shift(timedelta(seconds=delays[-1] + 1))

    assert delays == [60, 120, 240]
    assert sms.status == MessageStatus.FAILED
    assert sms.next_attempt_at is None
    assert len(gateway.requests) == 4
    # the officers see it among the failed ones, with the error
    otp_login(client, StaffFactory(role=User.Role.ADMIN))
    page = client.get(reverse("notifications_staff:list"), {"status": "failed"}).content.decode()
    assert "短信网关超时（0.3秒无响应）" in page and sms.address_masked in page
    # a failed message stays failed until an officer resends it
    with time_machine.travel(start + timedelta(days=2)):
        assert delivery.outbox_deliver() == 0
    assert len(gateway.requests) == 4


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"delay": 0, "status": 503}, "短信网关返回HTTP 503"),
        (
            {"delay": 0, "answer": {"code": "E12", "message": "号码已停机"}},
            "短信网关拒绝：号码已停机",
        ),
    ],
)
def test_a_refusing_gateway_is_recorded_as_the_error(http_sms, kwargs, error):
    http_sms(**kwargs)
    sms = one_sms()

    delivery.outbox_deliver()

    sms.refresh_from_db()
    assert (sms.status, sms.last_error) == (MessageStatus.PENDING, error)


def test_an_unreachable_gateway_is_an_error_not_a_crash(settings):
    settings.SSCARD_SMS_BACKEND = "sscard.notifications.backends.HttpSmsBackend"
    settings.SSCARD_SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # discard port: refused
    sms = one_sms()

    delivery.outbox_deliver()

    sms.refresh_from_db()
    assert sms.status == MessageStatus.PENDING
    assert sms.last_error.startswith("无法连接短信网关")


def test_an_officer_resends_a_failed_message_and_it_is_audited(sent, settings):
    settings.SSCARD_NOTIFY_MAX_ATTEMPTS = 1
    sms = one_sms()
    Message.objects.filter(pk=sms.pk).update(
        status=MessageStatus.FAILED, attempts=1, last_error="网关超时（5秒无响应）"
    )
    officer = StaffFactory(role="admin")

    delivery.message_resend(message=sms, actor=officer)
    assert delivery.outbox_deliver() == 1

    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (MessageStatus.SENT, 1)
    assert len(sent) == 1
    record = AuditRecord.objects.get(action="notification.resend")
    assert record.actor_id == officer.pk and record.detail["attempts_before"] == 1


def test_only_a_failed_message_is_resent(sent):
    sms = one_sms()

    with pytest.raises(DomainError, match="只有发送失败的消息可以重新发送"):
        delivery.message_resend(message=sms, actor=StaffFactory(role="admin"))


def test_delivering_twice_sends_once(sent):
    sms = one_sms()

    assert delivery.outbox_deliver(ids=[sms.pk]) == 1
    assert delivery.outbox_deliver(ids=[sms.pk]) == 0
    assert delivery.outbox_deliver() == 0

    assert len(sent) == 1


def test_a_message_held_by_a_live_worker_is_not_taken(sent):
    sms = one_sms()
    claimed = delivery.outbox_claim()
    assert claimed is not None and claimed.pk == sms.pk

    assert delivery.outbox_deliver() == 0
    assert sent == []


def test_a_dead_workers_message_is_taken_over_after_its_lease_and_its_late_outcome_ignored(
    sent, settings
):
    sms = one_sms()
    dead = delivery.outbox_claim()  # the worker that claimed it dies mid-send
    assert dead is not None

    later = timezone.now() + timedelta(seconds=settings.SSCARD_NOTIFY_LEASE_SECONDS + 1)
    with time_machine.travel(later):
        assert delivery.outbox_deliver() == 1

    sms.refresh_from_db()
    assert (sms.status, sms.attempts, len(sent)) == (MessageStatus.SENT, 2, 1)
    # the old worker coming back cannot overwrite the newer claim's outcome
    delivery._record_failure(dead, "网关超时")
    sms.refresh_from_db()
    assert (sms.status, sms.last_error) == (MessageStatus.SENT, "")


def test_a_message_whose_last_attempt_was_cut_short_fails(settings, sent):
    settings.SSCARD_NOTIFY_MAX_ATTEMPTS = 1
    sms = one_sms()
    assert delivery.outbox_claim() is not None

    later = timezone.now() + timedelta(seconds=settings.SSCARD_NOTIFY_LEASE_SECONDS + 1)
    with time_machine.travel(later):
        assert delivery.outbox_deliver() == 0

    sms.refresh_from_db()
    assert sms.status == MessageStatus.FAILED
    assert sms.last_error == "发送中断（工作进程退出），已达最大发送次数"
    assert sent == []


def test_the_development_file_backend_writes_one_masked_line_per_message(settings, tmp_path):
    settings.SSCARD_SMS_BACKEND = "sscard.notifications.backends.FileBackend"
    settings.SSCARD_NOTIFY_FILE_DIR = str(tmp_path)
    sms = one_sms()

    delivery.outbox_deliver()

    (line,) = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["address_masked"] == "138****5678"
    assert record["body"] == sms.body
    assert "13812345678" not in line


def test_a_crashing_backend_uses_an_attempt_and_names_the_error_type(settings, monkeypatch):
    from sscard.notifications.backends import MemoryBackend

    def crash(self, outgoing):
        raise KeyError("unexpected")

    monkeypatch.setattr(MemoryBackend, "send", crash)
    sms = one_sms()

    assert delivery.outbox_deliver() == 0

    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == (
        MessageStatus.PENDING,
        1,
        "发送异常：KeyError",
    )


def test_the_database_queue_gets_the_delivery_task_with_the_messages_or_not_at_all(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    queued = DBTaskResult.objects.filter(task_path=deliver_messages_task.module_path)
    with transaction.atomic():
        services.notify(Event.PRODUCTION_PRODUCING, person=PersonFactory(phone="13812345678"))
        # in the change's own transaction: no commit can be kept without its delivery task
        task = queued.get()
        assert task.args_kwargs["args"] == [[Message.objects.get(channel=Channel.SMS).pk]]

    def failing_change() -> None:
        with transaction.atomic():
            services.notify(Event.PRODUCTION_PRODUCING, person=PersonFactory(phone="13912345678"))
            raise RuntimeError("the change fails after its notice was written")

    with pytest.raises(RuntimeError):
        failing_change()
    assert queued.count() == 1  # the rolled-back change queued nothing
    assert Message.objects.filter(channel=Channel.SMS).count() == 1
