"""A stand-in payment gateway for the demo and the tests (on only with
``SSCARD_PAYMENT_SIMULATOR``, never routed in production: ``payments.E001``). It speaks the
client's protocol (:mod:`sscard.payments.gateway`) over real HTTP, checks the signature of
every request, keeps its own books and sends signed notifications, as a real gateway would:

``/pay-sim/api/orders`` (create; the same ``out_trade_no`` again answers with the same order),
``/pay-sim/api/orders/<no>`` (query), ``…/close``, ``/pay-sim/api/refunds`` (the same
``out_refund_no`` is refunded once), ``/pay-sim/api/statements/<YYYY-MM-DD>`` (the day's
statement file, CSV). ``/pay-sim/pay/<token>`` is the citizen's pay page (支付 / 取消);
``/pay-sim/`` lists the orders and sets 故障模拟: answer with errors, not at all (timeout), or
take payments without notifying (to see the order query settle them)."""

from __future__ import annotations

import csv
import io
import json
import secrets
import time
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sscard.core.money import fen_label
from sscard.payments.models import SimulatedOrder, SimulatedRefund
from sscard.payments.signing import BadSignature, verify

MODE_KEY = "pay-sim-mode"
MODES = {
    "ok": "正常",
    "error": "返回错误",
    "slow": "无响应（超时）",
    "quiet": "支付成功但不发送通知",
}


def _mode() -> str:
    return str(cache.get(MODE_KEY, "ok"))


def _answer(code: str, message: str, status: int = 200, **extra: Any) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, **extra}, status=status)


def _refused(request: HttpRequest) -> JsonResponse | None:
    """The answer to a request that does not pass: a bad signature, or a playful failure."""
    try:
        verify(request.body, request.headers)
    except BadSignature as exc:
        return _answer("SIGN_ERROR", str(exc), status=401)
    mode = _mode()
    if mode == "error":
        return _answer("SYSTEM_ERROR", "系统繁忙（模拟故障）", status=500)
    if mode == "slow":
        time.sleep(settings.SSCARD_PAYMENT_TIMEOUT + 1)
        return _answer("SYSTEM_ERROR", "too late", status=500)
    return None


def _order_json(order: SimulatedOrder) -> dict[str, Any]:
    state = order.state
    if state == "NOTPAY" and order.expires_at <= timezone.now():
        state = "CLOSED"
    return {
        "out_trade_no": order.out_trade_no,
        "trade_state": state,
        "amount": {"total": order.amount_fen, "currency": "CNY"},
        "transaction_id": order.transaction_id,
        "success_time": order.success_time.isoformat() if order.success_time else None,
    }


@csrf_exempt
@require_POST
def api_create(request: HttpRequest) -> JsonResponse:
    if (refusal := _refused(request)) is not None:
        return refusal
    try:
        data = json.loads(request.body)
        out_trade_no = str(data["out_trade_no"])
        amount = int(data["amount"]["total"])
        expires_at = datetime.fromisoformat(str(data["time_expire"]))
        notify_url = str(data["notify_url"])
    except (ValueError, KeyError, TypeError):
        return _answer("PARAM_ERROR", "参数错误", status=400)
    if not 0 < len(out_trade_no) <= 32 or amount <= 0:
        return _answer("PARAM_ERROR", "参数错误", status=400)
    earlier = SimulatedOrder.objects.filter(out_trade_no=out_trade_no).first()
    if earlier is None:
        try:
            with transaction.atomic():
                earlier = SimulatedOrder.objects.create(
                    out_trade_no=out_trade_no,
                    pay_token=secrets.token_urlsafe(18),
                    description=str(data.get("description", ""))[:80],
                    amount_fen=amount,
                    notify_url=notify_url,
                    return_url=str(data.get("return_url", ""))[:500],
                    expires_at=expires_at,
                )
        except IntegrityError:  # the same order in parallel: the first one stands
            earlier = SimulatedOrder.objects.get(out_trade_no=out_trade_no)
    if earlier.amount_fen != amount:
        return _answer("OUT_TRADE_NO_USED", "商户订单号重复", status=400)
    pay_url = request.build_absolute_uri(reverse("pay_sim:pay", args=[earlier.pay_token]))
    return _answer("SUCCESS", "OK", out_trade_no=out_trade_no, pay_url=pay_url)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def api_query(request: HttpRequest, out_trade_no: str) -> JsonResponse:
    if (refusal := _refused(request)) is not None:
        return refusal
    order = SimulatedOrder.objects.filter(out_trade_no=out_trade_no).first()
    if order is None:
        return _answer("ORDER_NOT_EXIST", "订单不存在", status=404)
    return JsonResponse(_order_json(order))


@csrf_exempt
@require_POST
def api_close(request: HttpRequest, out_trade_no: str) -> HttpResponse:
    if (refusal := _refused(request)) is not None:
        return refusal
    updated = SimulatedOrder.objects.filter(out_trade_no=out_trade_no, state="NOTPAY").update(
        state="CLOSED"
    )
    if not updated and not SimulatedOrder.objects.filter(out_trade_no=out_trade_no).exists():
        return _answer("ORDER_NOT_EXIST", "订单不存在", status=404)
    if (
        not updated
        and SimulatedOrder.objects.filter(out_trade_no=out_trade_no, state="SUCCESS").exists()
    ):
        return _answer("ORDERPAID", "订单已支付", status=400)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def api_refund(request: HttpRequest) -> JsonResponse:
    if (refusal := _refused(request)) is not None:
        return refusal
    try:
        data = json.loads(request.body)
        out_trade_no, out_refund_no = str(data["out_trade_no"]), str(data["out_refund_no"])
        amount = int(data["amount"]["refund"])
    except (ValueError, KeyError, TypeError):
        return _answer("PARAM_ERROR", "参数错误", status=400)
    earlier = SimulatedRefund.objects.filter(out_refund_no=out_refund_no).first()
    if earlier is not None:
        return _refunded(earlier)
    with transaction.atomic():
        order = SimulatedOrder.objects.select_for_update().filter(out_trade_no=out_trade_no).first()
        if order is None or order.state not in ("SUCCESS", "REFUND"):
            return _answer("TRADE_NOT_PAID", "订单未支付，不能退款", status=400)
        refunded = sum(
            SimulatedRefund.objects.filter(out_trade_no=out_trade_no).values_list(
                "amount_fen", flat=True
            )
        )
        if amount <= 0 or refunded + amount > order.amount_fen:
            return _answer("NOT_ENOUGH", "退款金额超过可退金额", status=400)
        refund = SimulatedRefund.objects.create(
            out_refund_no=out_refund_no,
            out_trade_no=out_trade_no,
            refund_id="simr" + secrets.token_hex(10),
            amount_fen=amount,
        )
        order.state = "REFUND"
        order.save(update_fields=["state"])
    return _refunded(refund)


def _refunded(refund: SimulatedRefund) -> JsonResponse:
    return JsonResponse(
        {
            "code": "SUCCESS",
            "refund_id": refund.refund_id,
            "status": "SUCCESS",
            "success_time": refund.created_at.isoformat(),
        }
    )


@csrf_exempt
@require_GET
def api_statement(request: HttpRequest, day: str) -> HttpResponse:
    if (refusal := _refused(request)) is not None:
        return refusal
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        return _answer("PARAM_ERROR", "日期格式应为YYYY-MM-DD", status=400)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["交易时间", "商户单号", "支付机构单号", "类型", "金额（分）"])
    for order in SimulatedOrder.objects.filter(success_time__isnull=False).order_by("pk"):
        assert order.success_time is not None  # noqa: S101
        if timezone.localdate(order.success_time) == wanted:
            writer.writerow(
                [
                    order.success_time.isoformat(),
                    order.out_trade_no,
                    order.transaction_id,
                    "SUCCESS",
                    order.amount_fen,
                ]
            )
    for refund in SimulatedRefund.objects.order_by("pk"):
        if timezone.localdate(refund.created_at) == wanted:
            writer.writerow(
                [
                    refund.created_at.isoformat(),
                    refund.out_refund_no,
                    refund.refund_id,
                    "REFUND",
                    refund.amount_fen,
                ]
            )
    return HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")


@require_http_methods(["GET", "POST"])
def pay_page(request: HttpRequest, token: str) -> HttpResponse:
    """The citizen at the gateway: 支付 takes the money and (after the commit, as the gateway
    would, from elsewhere) notifies the service; 取消 goes back unpaid."""
    order = get_object_or_404(SimulatedOrder, pay_token=token)
    expired = order.state == "NOTPAY" and order.expires_at <= timezone.now()
    if request.method == "POST":
        if request.POST.get("action") == "pay" and order.state == "NOTPAY" and not expired:
            _take_payment(order)
        return redirect(order.return_url or reverse("pay_sim:console"))
    return render(
        request,
        "payments/sim_pay.html",
        {"order": order, "amount": fen_label(order.amount_fen), "expired": expired},
    )


def _take_payment(order: SimulatedOrder) -> None:
    with transaction.atomic():
        changed = SimulatedOrder.objects.filter(pk=order.pk, state="NOTPAY").update(
            state="SUCCESS",
            transaction_id="4200" + secrets.token_hex(12),
            success_time=timezone.now(),
        )
        if changed and _mode() != "quiet":
            from sscard.payments.simulator.notify import notify_task

            transaction.on_commit(lambda: notify_task.enqueue(out_trade_no=order.out_trade_no))


@require_GET
def console(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "payments/sim_console.html",
        {
            "orders": SimulatedOrder.objects.all()[:30],
            "mode": _mode(),
            "mode_label": MODES.get(_mode(), _mode()),
            "modes": MODES,
        },
    )


@require_POST
def set_mode(request: HttpRequest) -> HttpResponse:
    mode = request.POST.get("mode", "ok")
    cache.set(MODE_KEY, mode if mode in MODES else "ok", None)
    return redirect("pay_sim:console")
