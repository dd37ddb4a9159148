"""The SMS gateway client: every code and notice the service texts leaves through it.

Provider-neutral, as the provincial government SMS platforms and the commercial ones alike
take it: an HTTPS POST of JSON ``{"phone", "sign", "template_id", "params", "content",
"out_id"}`` with ``Authorization: Bearer <key>``; the answer ``{"code": "0", "message_id"}``
means accepted, any other ``code`` is a refusal with its ``message``. ``out_id`` is the
sender's own id of the message: a gateway drops a repeat of one it has accepted. Settings:
``SSCARD_SMS_GATEWAY_URL``, ``SSCARD_SMS_GATEWAY_KEY``, ``SSCARD_SMS_SIGNATURE``,
``SSCARD_SMS_TEMPLATE_ID`` (notices), ``SSCARD_SMS_CODE_TEMPLATE_ID`` (one-time codes),
``SSCARD_SMS_TIMEOUT``. The demo serves a simulated gateway (:mod:`sscard.sms.simulator`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings


class SmsError(Exception):
    """The gateway did not take the message. ``str()`` is for officers and logs (never the
    phone number); ``retry_later`` says whether the same message may go through later."""

    def __init__(self, message: str, *, retry_later: bool = True) -> None:
        super().__init__(message)
        self.retry_later = retry_later


@dataclass(frozen=True)
class Sms:
    phone: str  # the full number: for the gateway only, never logged
    content: str  # the text without the signature
    out_id: str
    template_id: str = ""
    params: dict[str, str] = field(default_factory=dict)


def send(sms: Sms, *, url: str | None = None) -> str:
    """Hand ``sms`` to the gateway; return the gateway's message id or raise :class:`SmsError`."""
    url = url or settings.SSCARD_SMS_GATEWAY_URL
    if not url:
        raise SmsError("未配置短信网关地址（SSCARD_SMS_GATEWAY_URL）", retry_later=False)
    timeout = settings.SSCARD_SMS_TIMEOUT
    payload: dict[str, Any] = {
        "phone": sms.phone,
        "sign": settings.SSCARD_SMS_SIGNATURE,
        "template_id": sms.template_id,
        "params": sms.params,
        "content": f"【{settings.SSCARD_SMS_SIGNATURE}】{sms.content}",
        "out_id": sms.out_id,
    }
    try:
        response = httpx.post(
            url,
            json=payload,
            headers={"Authorization": f"Bearer {settings.SSCARD_SMS_GATEWAY_KEY}"},
            timeout=timeout,
        )
    except httpx.TimeoutException:
        raise SmsError(f"短信网关超时（{timeout:g}秒无响应）") from None
    except httpx.HTTPError as exc:
        raise SmsError(f"无法连接短信网关：{type(exc).__name__}") from None
    if response.status_code >= 500:
        raise SmsError(f"短信网关返回HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise SmsError(f"短信网关返回的内容无法解析（HTTP {response.status_code}）") from None
    if not isinstance(data, dict):
        raise SmsError("短信网关返回的内容无法解析")
    if str(data.get("code")) != "0":
        reason = str(data.get("message") or data.get("code") or response.status_code)[:80]
        # a refusal of the request itself (bad key, bad template) will not pass on a retry
        raise SmsError(f"短信网关拒绝：{reason}", retry_later=response.status_code < 400)
    return str(data.get("message_id", ""))[:100]
