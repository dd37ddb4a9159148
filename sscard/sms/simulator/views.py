"""A stand-in SMS gateway for the demo and the tests (on only with ``SSCARD_SMS_SIMULATOR``,
never routed in production). It takes the client's requests over real HTTP
(:mod:`sscard.sms.client`) with the same JSON shapes and answers, keeps what it received, and
shows it in a 短信收件箱 page so that a person trying the demo can read their code.

``/sms-sim/api/send`` — the gateway's send endpoint (bearer key checked when one is set; a
repeated ``out_id`` is accepted once and answered with its first message id).
``/sms-sim/`` — 短信收件箱: the newest messages (phone masked), or those of one number.
``/sms-sim/mode`` — 故障模拟: answer every request with an error, or not at all, to see the
service's messages when the gateway fails."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from sscard.accounts.models import phone_hash
from sscard.core.errors import DomainError
from sscard.core.validators import validate_phone
from sscard.sms.models import SimulatedSms

MODE_KEY = "sms-sim-mode"
MODES = {"ok": "正常", "error": "返回错误", "slow": "无响应（超时）"}
INBOX_SIZE = 30


def _mode() -> str:
    return str(cache.get(MODE_KEY, "ok"))


def _answer(code: str, message: str, status: int = 200, **extra: Any) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, **extra}, status=status)


@csrf_exempt
@require_POST
def api_send(request: HttpRequest) -> JsonResponse:
    key = settings.SSCARD_SMS_GATEWAY_KEY
    if key and request.headers.get("Authorization", "") != f"Bearer {key}":
        return _answer("InvalidAccessKey", "invalid access key", status=401)
    mode = _mode()
    if mode == "error":
        return _answer("isv.BUSINESS_LIMIT_CONTROL", "触发流控（模拟故障）")
    if mode == "slow":
        time.sleep(settings.SSCARD_SMS_TIMEOUT + 1)
        return _answer("isp.SYSTEM_ERROR", "too late")
    try:
        data = json.loads(request.body or b"{}")
        phone, content, out_id = str(data["phone"]), str(data["content"]), str(data["out_id"])
    except (ValueError, KeyError, TypeError):
        return _answer("isv.INVALID_PARAMETERS", "phone, content and out_id are required", 400)
    try:
        validate_phone(phone)
    except DomainError:
        return _answer("isv.MOBILE_NUMBER_ILLEGAL", "invalid mobile number", 400)
    if not out_id or len(out_id) > 100:
        return _answer("isv.INVALID_PARAMETERS", "out_id is 1-100 characters", 400)
    earlier = SimulatedSms.objects.filter(out_id=out_id).first()
    if earlier is not None:
        return _answer("0", "OK", message_id=earlier.message_id)
    sms = SimulatedSms(
        phone=phone,
        phone_hash=phone_hash(phone),
        sign=str(data.get("sign", ""))[:30],
        template_id=str(data.get("template_id", ""))[:60],
        content=content[:500],
        out_id=out_id,
        message_id="sim" + secrets.token_hex(8),
    )
    try:
        with transaction.atomic():
            sms.save()
    except IntegrityError:  # the same out_id in parallel: the first one stands
        sms = SimulatedSms.objects.get(out_id=out_id)
    return _answer("0", "OK", message_id=sms.message_id)


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    phone = request.GET.get("phone", "").strip()
    messages = SimulatedSms.objects.all()
    error = ""
    if phone:
        try:
            validate_phone(phone)
        except DomainError as exc:
            error = exc.message
        else:
            messages = messages.filter(phone_hash=phone_hash(phone))
    return render(
        request,
        "sms/inbox.html",
        {
            "messages": messages[:INBOX_SIZE],
            "phone": phone,
            "error": error,
            "mode": _mode(),
            "mode_label": MODES.get(_mode(), _mode()),
            "modes": MODES,
        },
    )


@require_POST
def set_mode(request: HttpRequest) -> HttpResponse:
    mode = request.POST.get("mode", "ok")
    cache.set(MODE_KEY, mode if mode in MODES else "ok", None)
    return redirect("sms_sim:inbox")
