"""去支付 from 我的办件 and the way back from the gateway's pay page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from sscard.accounts.requests import AuthedHttpRequest
from sscard.applications.constants import AppStatus
from sscard.core.errors import DomainError
from sscard.payments.services import payment_check, payment_start
from sscard.portal.application_views import own_application
from sscard.web.auth import portal_login_required


@portal_login_required
@require_POST
def pay(request: AuthedHttpRequest, receipt: str) -> HttpResponse:
    """去支付: to the gateway's pay page of this attempt's order (the same one on a second
    click)."""
    application = own_application(request, receipt, filed=True)
    back = request.build_absolute_uri(reverse("portal:paid", args=[receipt]))
    try:
        order = payment_start(user=request.user, application=application, return_url=back)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:application", receipt=receipt)
    return HttpResponseRedirect(order.pay_url)


@portal_login_required
def paid(request: AuthedHttpRequest, receipt: str) -> HttpResponse:
    """Back from the gateway: ask it how the order stands instead of waiting for its
    notification."""
    application = own_application(request, receipt, filed=True)
    status = payment_check(user=request.user, application=application)
    if status == AppStatus.AWAITING_PAYMENT:
        messages.warning(request, "尚未完成支付。如已付款，请稍后刷新查看；也可再次点击“去支付”。")
    elif status == AppStatus.SUBMITTED:
        messages.success(request, "已支付，办件已进入审核")
    return redirect("portal:application", receipt=receipt)
