"""The WeChat subscription-message gateway against a stand-in of the WeChat API."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command

from sscard.notifications import channels, delivery, services
from sscard.notifications.backends import WechatBackend
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import Message, MessageTemplate
from sscard.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


class FakeWechat:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict, dict]] = []
        self.send_answers: list[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                url = urlparse(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                api.calls.append((url.path, parse_qs(url.query), body))
                if url.path == "/cgi-bin/stable_token":
                    answer = {"access_token": f"TOKEN{len(api.calls)}", "expires_in": 7200}
                else:
                    answer = api.send_answers.pop(0) if api.send_answers else {"errcode": 0}
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def wechat(settings, monkeypatch):
    api = FakeWechat()
    settings.SSCARD_WECHAT_BACKEND = "sscard.notifications.backends.WechatBackend"
    settings.SSCARD_WECHAT_API_BASE = api.url
    settings.SSCARD_WECHAT_APPID = "wx-test-app"
    settings.SSCARD_WECHAT_SECRET = "wx-test-secret"
    monkeypatch.setattr(WechatBackend, "_token", None)
    monkeypatch.setitem(channels.ADDRESS_FINDERS, Channel.WECHAT, lambda person: "oOPENID0001")
    MessageTemplate.objects.filter(event=Event.PRODUCTION_PRODUCING).update(
        wechat_template_id="TPL-PRODUCING"
    )
    yield api
    api.server.shutdown()
    api.server.server_close()


def wechat_message() -> Message:
    notification = services.notify(Event.PRODUCTION_PRODUCING, person=PersonFactory())
    return Message.objects.get(notification=notification, channel=Channel.WECHAT)


def test_a_subscription_message_goes_with_a_cached_access_token(wechat):
    first, second = wechat_message(), wechat_message()

    call_command("deliver_notifications")

    paths = [path for path, _, _ in wechat.calls]
    assert paths == [
        "/cgi-bin/stable_token",
        "/cgi-bin/message/subscribe/bizsend",
        "/cgi-bin/message/subscribe/bizsend",
    ]
    _, query, body = wechat.calls[1]
    assert query["access_token"] == ["TOKEN1"]
    assert body["touser"] == "oOPENID0001"
    assert body["template_id"] == "TPL-PRODUCING"
    assert body["data"]["thing1"] == {"value": first.title[:20]}
    for message in (first, second):
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT


def test_a_stale_token_is_refetched_after_the_refusal(wechat):
    wechat.send_answers = [{"errcode": 42001, "errmsg": "access_token expired"}]
    message = wechat_message()

    delivery.outbox_deliver()
    message.refresh_from_db()
    assert (message.status, message.last_error) == (
        MessageStatus.PENDING,
        "微信接口拒绝：errcode 42001",
    )

    delivery.outbox_deliver(now=message.next_attempt_at)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    tokens = [path for path, _, _ in wechat.calls if path == "/cgi-bin/stable_token"]
    assert len(tokens) == 2
