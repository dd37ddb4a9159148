"""The simulated gateway's notification: sent by the task worker after the payment is
committed, signed as a real gateway signs it, to the order's notify_url."""

from __future__ import annotations

import json
import logging
import secrets

import httpx
from django.conf import settings

from sscard.core.http import http_client
from sscard.core.tasks import task
from sscard.payments.models import SimulatedOrder
from sscard.payments.signing import signed_headers

logger = logging.getLogger("sscard.payments")


def notification_body(order: SimulatedOrder, *, amount_fen: int | None = None) -> bytes:
    return json.dumps(
        {
            "id": "notify-" + secrets.token_hex(12),
            "event_type": "TRANSACTION.SUCCESS",
            "resource": {
                "out_trade_no": order.out_trade_no,
                "transaction_id": order.transaction_id,
                "trade_state": "SUCCESS",
                "amount": {"total": order.amount_fen if amount_fen is None else amount_fen},
                "success_time": order.success_time.isoformat() if order.success_time else None,
            },
        }
    ).encode()


def send_notification(order: SimulatedOrder, body: bytes | None = None) -> int:
    """POST the notification; the service's HTTP status (0 when it did not answer)."""
    body = body or notification_body(order)
    try:
        with http_client(settings.SSCARD_PAYMENT_TIMEOUT) as client:
            response = client.post(
                order.notify_url,
                content=body,
                headers={**signed_headers(body), "Content-Type": "application/json"},
            )
    except httpx.HTTPError as exc:
        logger.warning("pay_sim.notify_failed", extra={"error": type(exc).__name__})
        return 0
    return response.status_code


@task()
def notify_task(out_trade_no: str) -> int:
    order = SimulatedOrder.objects.filter(out_trade_no=out_trade_no).first()
    if order is None or order.state != "SUCCESS":
        return 0
    return send_notification(order)
