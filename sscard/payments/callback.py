"""The gateway's asynchronous notification (``POST /payments/notify``): the signature and its
time are checked on the raw body before anything is read; a verified success settles the order
once (:func:`sscard.payments.services.payment_notified`). The answer is the gateway's protocol:
``{"code": "SUCCESS"}`` stops its retries, an error makes it send again later.

Served from the payments app's own urls rather than from an interface app: it is the machine
end of the gateway protocol whose client, key and signature live here, with nothing of a page
or of the partner API (whose credentials and nonces are the banks')."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sscard.payments.gateway import OrderState, fen
from sscard.payments.services import NoticeRefused, payment_notified
from sscard.payments.signing import BadSignature, verify


def _fail(message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": "FAIL", "message": message}, status=status)


def _state(resource: dict[str, Any]) -> OrderState:
    success = resource.get("success_time")
    if success and datetime.fromisoformat(success).tzinfo is None:
        raise ValueError("success_time without its offset")
    return OrderState(
        out_trade_no=str(resource["out_trade_no"])[:32],
        trade_state=str(resource.get("trade_state", "")),
        amount_fen=fen(resource["amount"]["total"]),  # 2000.9 or "2000" is refused
        transaction_id=str(resource.get("transaction_id", ""))[:64],
        success_time=datetime.fromisoformat(success) if success else None,
    )


@csrf_exempt
@require_POST
def notify(request: HttpRequest) -> JsonResponse:
    try:
        verify(request.body, request.headers)
    except BadSignature as exc:
        return _fail(str(exc), 401)
    try:
        data = json.loads(request.body)
        state = _state(data["resource"])
        notify_id, event_type = str(data["id"]), str(data["event_type"])
    except (ValueError, KeyError, TypeError):
        return _fail("通知格式不正确", 400)
    try:
        payment_notified(notify_id=notify_id, event_type=event_type, state=state)
    except NoticeRefused as exc:
        return _fail(exc.message, 404 if exc.code == "unknown_order" else 400)
    return JsonResponse({"code": "SUCCESS", "message": "成功"})
