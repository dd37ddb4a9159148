"""The payment client: every call to the payment gateway goes through :class:`PaymentGateway`.

One interface in the shape of the real ones (WeChat Pay API v3, UnionPay's online payment):
create an order → the citizen pays on the gateway's page → an asynchronous, signed notification
to our callback → an order query to settle doubt → refunds → a daily statement file. The
bundled implementation, :class:`HttpGateway`, speaks JSON over HTTPS, signed as
:mod:`sscard.payments.signing` says; the demo and the tests serve a simulated gateway with the
same shapes (:mod:`sscard.payments.simulator`). A provider with another wire format gets its
own class with these five methods (``SSCARD_PAYMENT_GATEWAY_CLASS``).

Settings: ``SSCARD_PAYMENT_GATEWAY_URL`` (the API's base), ``SSCARD_PAYMENT_MERCHANT_ID``,
``SSCARD_PAYMENT_KEY``, ``SSCARD_PAYMENT_TIMEOUT``; the notification address is
``SSCARD_PUBLIC_URL`` + ``/payments/notify``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from sscard.core.http import http_client
from sscard.payments.signing import signed_headers

# An idempotent call (every one here: orders and refunds carry our own number) is tried this
# many times when the gateway does not answer in time.
ATTEMPTS = 2


class GatewayError(Exception):
    """The gateway did not answer, or refused. ``str()`` is for staff and logs."""


class GatewayUnavailable(GatewayError):
    """No answer (timeout, connection refused, HTTP 5xx): the outcome is unknown."""


@dataclass(frozen=True)
class CreatedOrder:
    pay_url: str


@dataclass(frozen=True)
class OrderState:
    out_trade_no: str
    trade_state: str  # NOTPAY, SUCCESS, CLOSED, REFUND
    amount_fen: int
    transaction_id: str = ""
    success_time: datetime | None = None


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    status: str  # SUCCESS or PROCESSING
    # when the gateway refunded (its statement's day): an answer lost and asked for again
    # later still carries the first time
    success_time: datetime | None = None


@dataclass(frozen=True)
class StatementLine:
    entry: str  # SUCCESS (a payment) or REFUND
    reference: str  # out_trade_no or out_refund_no
    amount_fen: int


class PaymentGateway(Protocol):
    def create_order(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        description: str,
        expires_at: datetime,
        return_url: str,
    ) -> CreatedOrder: ...

    def query_order(self, *, out_trade_no: str) -> OrderState | None: ...

    def close_order(self, *, out_trade_no: str) -> None: ...

    def refund(
        self, *, out_trade_no: str, out_refund_no: str, amount_fen: int, reason: str
    ) -> RefundResult: ...

    def statement(self, *, day: date) -> list[StatementLine]: ...


def fen(value: object) -> int:
    """An amount as the gateway writes it: an integer number of 分. Anything else (2000.9,
    2000.0, "2000", true) raises ValueError — money is never a float nor a guess."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("amount is not an integer number of fen")
    return value


def _time(value: object, what: str) -> datetime | None:
    """A time the gateway wrote (ISO 8601), or None when it wrote none; GatewayError naming
    ``what`` (支付, 退款) when it cannot be read."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise GatewayError(f"支付网关返回的{what}时间无法解析") from None


def gateway() -> PaymentGateway:
    """The configured gateway client."""
    return import_string(settings.SSCARD_PAYMENT_GATEWAY_CLASS)()


def notify_url() -> str:
    return settings.SSCARD_PUBLIC_URL.rstrip("/") + "/payments/notify"


class HttpGateway:
    """JSON over HTTPS, every request signed with the merchant key."""

    def _call(
        self, method: str, path: str, payload: dict[str, Any] | None = None
    ) -> httpx.Response:
        base = settings.SSCARD_PAYMENT_GATEWAY_URL.rstrip("/")
        if not base:
            raise GatewayError("未配置支付网关地址（SSCARD_PAYMENT_GATEWAY_URL）")
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        headers = {
            **signed_headers(body),
            "Pay-Merchant": settings.SSCARD_PAYMENT_MERCHANT_ID,
            "Content-Type": "application/json",
        }
        timeout = settings.SSCARD_PAYMENT_TIMEOUT
        for attempt in range(ATTEMPTS):
            try:
                with http_client(timeout) as client:
                    response = client.request(method, base + path, content=body, headers=headers)
            except httpx.TimeoutException:
                if attempt + 1 < ATTEMPTS:
                    continue
                raise GatewayUnavailable(f"支付网关超时（{timeout:g}秒无响应）") from None
            except httpx.HTTPError as exc:
                if attempt + 1 < ATTEMPTS:
                    continue
                raise GatewayUnavailable(f"无法连接支付网关：{type(exc).__name__}") from None
            if response.status_code >= 500:
                if attempt + 1 < ATTEMPTS:
                    continue
                raise GatewayUnavailable(f"支付网关返回HTTP {response.status_code}")
            return response
        raise GatewayUnavailable("支付网关无响应")  # pragma: no cover — the loop returns or raises

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            raise GatewayError(
                f"支付网关返回的内容无法解析（HTTP {response.status_code}）"
            ) from None
        if not isinstance(data, dict):
            raise GatewayError("支付网关返回的内容无法解析")
        if response.status_code >= 400:
            raise GatewayError(f"支付网关拒绝：{str(data.get('message') or data.get('code'))[:80]}")
        return data

    def create_order(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        description: str,
        expires_at: datetime,
        return_url: str,
    ) -> CreatedOrder:
        data = self._json(
            self._call(
                "POST",
                "/orders",
                {
                    "mchid": settings.SSCARD_PAYMENT_MERCHANT_ID,
                    "out_trade_no": out_trade_no,
                    "description": description,
                    "amount": {"total": amount_fen, "currency": "CNY"},
                    "time_expire": expires_at.isoformat(),
                    "notify_url": notify_url(),
                    "return_url": return_url,
                },
            )
        )
        pay_url = str(data.get("pay_url", ""))
        if not pay_url.startswith(("https://", "http://")):
            raise GatewayError("支付网关未返回支付页面地址")
        return CreatedOrder(pay_url=pay_url)

    def query_order(self, *, out_trade_no: str) -> OrderState | None:
        response = self._call("GET", f"/orders/{out_trade_no}")
        if response.status_code == 404:
            return None
        data = self._json(response)
        try:
            amount = fen((data.get("amount") or {}).get("total", -1))
        except (ValueError, AttributeError):
            raise GatewayError("支付网关返回的金额不是整数（分）") from None
        return OrderState(
            out_trade_no=str(data.get("out_trade_no", "")),
            trade_state=str(data.get("trade_state", "")),
            amount_fen=amount,
            transaction_id=str(data.get("transaction_id", "")),
            success_time=_time(data.get("success_time"), "支付"),
        )

    def close_order(self, *, out_trade_no: str) -> None:
        response = self._call("POST", f"/orders/{out_trade_no}/close", {})
        if response.status_code not in (204, 404):
            self._json(response)

    def refund(
        self, *, out_trade_no: str, out_refund_no: str, amount_fen: int, reason: str
    ) -> RefundResult:
        data = self._json(
            self._call(
                "POST",
                "/refunds",
                {
                    "out_trade_no": out_trade_no,
                    "out_refund_no": out_refund_no,
                    "reason": reason,
                    "amount": {"refund": amount_fen, "total": amount_fen, "currency": "CNY"},
                },
            )
        )
        refunded_at = _time(data.get("success_time"), "退款")
        return RefundResult(
            refund_id=str(data.get("refund_id", "")),
            status=str(data.get("status", "")),
            success_time=refunded_at if refunded_at and refunded_at.tzinfo else None,
        )

    def statement(self, *, day: date) -> list[StatementLine]:
        response = self._call("GET", f"/statements/{day:%Y-%m-%d}")
        if response.status_code >= 400:
            self._json(response)
        lines = []
        for row in response.text.splitlines()[1:]:  # the header first
            fields = [field.strip() for field in row.split(",")]
            if len(fields) < 5 or not fields[4].lstrip("-").isdigit():
                raise GatewayError("对账单格式不正确")
            # 交易时间,商户订单号/退款单号,支付机构单号,类型,金额（分）
            lines.append(
                StatementLine(entry=fields[3], reference=fields[1], amount_fen=int(fields[4]))
            )
        return lines
