"""网点柜员: cards arriving at the outlet (网点签收) and handing them over (发卡) after
checking the holder's identity document."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sscard.accounts.models import User
from sscard.accounts.requests import AuthedHttpRequest
from sscard.applications.constants import ApplicationAction
from sscard.applications.models import ApplicationEvent
from sscard.applications.review import identity_hashes
from sscard.applications.services import application_handover
from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.backoffice.forms import IdentityForm
from sscard.core.errors import DomainError, add_to_form
from sscard.core.masking import mask_id_number
from sscard.production.constants import Delivery, Stage
from sscard.production.models import ProductionOrder
from sscard.production.services import order_advance

PAGE_SIZE = 30


def _orders_here(user: User, stage: str) -> QuerySet[ProductionOrder]:
    sealed = ApplicationEvent.objects.filter(
        application__production_order=OuterRef("pk"), action=ApplicationAction.UNCOLLECTED_SEALED
    )
    return (
        ProductionOrder.objects.filter(
            outlet_id=user.outlet_id or 0, delivery=Delivery.OUTLET, stage=stage
        )
        .select_related("person", "card", "application")
        .annotate(sealed=Exists(sealed))
        .order_by("updated_at", "pk")
    )


@staff_view(roles.OUTLET_WORK)
@require_http_methods(["GET", "POST"])
def outlet_home(request: AuthedHttpRequest) -> HttpResponse:
    """The outlet's cards: arriving, and waiting for their holders. Looking a holder up by
    their ID number is a POST, so the number never appears in a URL."""
    user = request.user
    q = request.POST.get("q", "").strip()[:40] if request.method == "POST" else ""
    arriving = _orders_here(user, Stage.CITY_BANK)
    waiting = _orders_here(user, Stage.OUTLET)
    if q:
        hashes = identity_hashes(q)
        arriving = arriving.filter(person__identity_hash__in=hashes)
        waiting = waiting.filter(person__identity_hash__in=hashes)
    return render(
        request,
        "backoffice/outlet.html",
        {
            "outlet": user.outlet,
            "searched": mask_id_number(q.upper()),
            "arriving": Paginator(arriving, PAGE_SIZE).get_page(request.GET.get("a")),
            "waiting": Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("w")),
        },
    )


@staff_view(roles.OUTLET_WORK)
@require_POST
def outlet_sign_in(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """网点签收: the card has arrived at this outlet; its holder can come and collect it."""
    user = request.user
    order = get_object_or_404(ProductionOrder, pk=pk)
    try:
        order = order_advance(order=order, to=Stage.OUTLET, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已签收：卡号 {order.card.masked_number}，可通知持卡人领卡")
    return redirect("backoffice:outlet")


@staff_view(roles.OUTLET_WORK)
@require_http_methods(["GET", "POST"])
def outlet_handover(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """发卡: the clerk types the type and number of the document the collector shows; the
    service checks that it names the card's holder and hands the card over."""
    user = request.user
    order = get_object_or_404(
        ProductionOrder.objects.select_related("person", "card", "outlet"),
        pk=pk,
        outlet_id=user.outlet_id or 0,
    )
    form = IdentityForm(request.POST or None, initial={"doc_type": order.person.doc_type})
    if request.method == "POST" and form.is_valid():
        try:
            application = application_handover(
                order=order,
                actor=user,
                doc_type=form.cleaned_data["doc_type"],
                doc_number=form.cleaned_data["doc_number"],
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request,
                f"已发卡：卡号 {order.card.masked_number}，"
                f"办件 {application.receipt_number} 已办结。请提醒持卡人办理“社会保障卡启用”。",
            )
            return redirect("backoffice:outlet")
    return render(
        request,
        "backoffice/handover.html",
        {"order": order, "form": form},
    )
