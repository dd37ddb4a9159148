"""Gateways: where an SMS or a WeChat subscription message goes. The channel chooses the backend
from settings (``SSCARD_SMS_BACKEND``, ``SSCARD_WECHAT_BACKEND``). Every backend has one method,
``send(outgoing) -> gateway reference``, and raises :class:`DeliveryError` with a message an
officer can read when the gateway refuses, fails or times out.

By default a :class:`FileBackend` writes what would be sent, one JSON line per message, so the
demo shows every message without a gateway; the test suite reads :class:`MemoryBackend`."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("sscard.notifications")


class DeliveryError(Exception):
    """The gateway did not take the message; ``str()`` is shown to officers (no personal
    data: never the recipient's address)."""


@dataclass(frozen=True)
class Outgoing:
    key: str  # the message's own id, for gateways that deduplicate by client message id
    channel: str
    address: str  # full phone number or openid: for the gateway only, never logged
    address_masked: str
    title: str
    body: str
    link: str = ""
    template_id: str = ""
    created_at: str = ""
    params: dict[str, str] = field(default_factory=dict)  # the SMS template's values


class Backend(Protocol):
    def send(self, outgoing: Outgoing) -> str: ...


def _record(outgoing: Outgoing) -> dict[str, Any]:
    """What the development backends keep: everything but the full address."""
    data = asdict(outgoing)
    data.pop("address")
    data["recorded_at"] = timezone.now().isoformat()
    return data


class ConsoleBackend:
    def send(self, outgoing: Outgoing) -> str:
        logger.info(
            "notification.console channel=%s to=%s key=%s title=%s body=%s",
            outgoing.channel,
            outgoing.address_masked,
            outgoing.key,
            outgoing.title,
            outgoing.body,
        )
        return f"console-{outgoing.key}"


class FileBackend:
    """Appends one JSON line per message to ``SSCARD_NOTIFY_FILE_DIR/<channel>.jsonl``."""

    _lock = threading.Lock()

    def send(self, outgoing: Outgoing) -> str:
        directory = Path(settings.SSCARD_NOTIFY_FILE_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps(_record(outgoing), ensure_ascii=False) + "\n"
        with self._lock, open(directory / f"{outgoing.channel}.jsonl", "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
        return f"file-{outgoing.key}"


class MemoryBackend:
    """Keeps every message in :data:`MemoryBackend.sent` (the tests clear it)."""

    sent: list[dict[str, Any]] = []
    _lock = threading.Lock()

    def send(self, outgoing: Outgoing) -> str:
        with self._lock:
            type(self).sent.append({**_record(outgoing), "address": outgoing.address})
        return f"memory-{outgoing.key}"


def _post_json(
    url: str, payload: dict[str, Any], *, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 — the URL comes from settings, https in production
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        method="POST",
    )
    return _open_json(request)


def _open_json(request: urllib.request.Request) -> dict[str, Any]:
    timeout = settings.SSCARD_NOTIFY_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"网关返回HTTP {exc.code}") from None
    except TimeoutError:
        raise DeliveryError(f"网关超时（{timeout:g}秒无响应）") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise DeliveryError(f"网关超时（{timeout:g}秒无响应）") from None
        raise DeliveryError(f"无法连接网关：{type(exc.reason).__name__}") from None
    except OSError as exc:
        raise DeliveryError(f"网关连接中断：{type(exc).__name__}") from None
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise DeliveryError("网关返回的内容无法解析") from None
    if not isinstance(data, dict):
        raise DeliveryError("网关返回的内容无法解析")
    return data


class HttpSmsBackend:
    """The SMS gateway (:mod:`sscard.sms.client`): notices go with the notice template
    (``SSCARD_SMS_TEMPLATE_ID``, its text as ``content``), codes with their own. The
    message's id is the gateway's ``out_id``: a gateway that had accepted it drops a repeat."""

    def send(self, outgoing: Outgoing) -> str:
        from sscard.sms import client

        try:
            return client.send(
                client.Sms(
                    phone=outgoing.address,
                    content=outgoing.body,
                    out_id=outgoing.key,
                    template_id=outgoing.template_id or settings.SSCARD_SMS_TEMPLATE_ID,
                    params=outgoing.params or {"content": outgoing.body},
                )
            )
        except client.SmsError as exc:
            raise DeliveryError(str(exc)) from None


class WechatBackend:
    """WeChat Official Account subscription messages (订阅通知, ``message/subscribe/bizsend``)
    with the access token from ``cgi-bin/stable_token``, cached until shortly before it
    expires. The template's keywords: thing1 (事项), thing2 (内容摘要), time3 (时间)."""

    _token: tuple[str, float] | None = None
    _lock = threading.Lock()

    def _access_token(self) -> str:
        with self._lock:
            cached = type(self)._token
            if cached and cached[1] > time.monotonic():
                return cached[0]
            if not settings.SSCARD_WECHAT_APPID:
                raise DeliveryError("未配置微信公众号（SSCARD_WECHAT_APPID）")
            data = _post_json(
                f"{settings.SSCARD_WECHAT_API_BASE}/cgi-bin/stable_token",
                {
                    "grant_type": "client_credential",
                    "appid": settings.SSCARD_WECHAT_APPID,
                    "secret": settings.SSCARD_WECHAT_SECRET,
                },
            )
            token = data.get("access_token")
            if not token:
                raise DeliveryError(f"获取微信access_token失败：errcode {data.get('errcode')}")
            lifetime = int(data.get("expires_in", 7200))
            type(self)._token = (str(token), time.monotonic() + max(lifetime - 300, 60))
            return str(token)

    def send(self, outgoing: Outgoing) -> str:
        if not outgoing.template_id:
            raise DeliveryError("该事件未配置微信订阅消息模板ID")
        token = self._access_token()
        query = urllib.parse.urlencode({"access_token": token})
        data = _post_json(
            f"{settings.SSCARD_WECHAT_API_BASE}/cgi-bin/message/subscribe/bizsend?{query}",
            {
                "touser": outgoing.address,
                "template_id": outgoing.template_id,
                "page": outgoing.link,
                "data": {
                    "thing1": {"value": outgoing.title[:20]},
                    "thing2": {"value": outgoing.body[:20]},
                    "time3": {"value": outgoing.created_at},
                },
            },
        )
        errcode = data.get("errcode", 0)
        if errcode not in (0, "0"):
            if errcode in (40001, 42001):  # the token went stale: fetch a new one next time
                type(self)._token = None
            raise DeliveryError(f"微信接口拒绝：errcode {errcode}")
        return str(data.get("msgid", ""))[:100]
