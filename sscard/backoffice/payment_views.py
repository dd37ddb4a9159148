"""缴费与对账 for the 系统管理员: every payment order with its refund, and the daily
reconciliation with its differences (``manage.py reconcile_payments``). Read-only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.payments.constants import OrderStatus
from sscard.payments.selectors import payment_orders_list, reconciliation_latest

PAGE_SIZE = 50


@staff_view(roles.VIEW_PAYMENTS)
@require_GET
def payments(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(payment_orders_list(status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/payments.html",
        {
            "page": page,
            "status": status if status in OrderStatus.values else "",
            "statuses": OrderStatus.choices,
            "runs": reconciliation_latest(),
        },
    )
