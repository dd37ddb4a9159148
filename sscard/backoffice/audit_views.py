"""审计日志 for 系统管理员: who did what to which application or card, filterable. Read-only
for everyone: there is no form that writes, and the model refuses changes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sscard.accounts.models import User
from sscard.applications.models import Application
from sscard.audit.models import AuditRecord
from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.cards.models import Card

PAGE_SIZE = 50
ROLE_LABELS = {**dict(User.Role.choices), "system": "系统"}


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def audit_search(params: dict[str, str]) -> QuerySet[AuditRecord]:
    rows = AuditRecord.objects.all()
    if params.get("actor"):
        rows = rows.filter(actor_label=params["actor"])
    if params.get("action"):
        rows = rows.filter(action__startswith=params["action"])
    if params.get("result"):
        rows = rows.filter(result=params["result"])
    target = params.get("target", "")
    if target:
        # a receipt number or a card number names its record; other values are record ids
        app_ids = [
            str(pk)
            for pk in Application.objects.filter(receipt_number=target).values_list("pk", flat=True)
        ]
        card_ids = [
            str(pk)
            for pk in Card.objects.filter(number=target.upper()).values_list("pk", flat=True)
        ]
        rows = rows.filter(
            Q(target_type="applications.application", target_id__in=app_ids)
            | Q(target_type="cards.card", target_id__in=card_ids)
            | Q(target_id=target)
        )
    start, end = _day(params.get("start", "")), _day(params.get("end", ""))
    tz = timezone.get_current_timezone()
    if start:
        rows = rows.filter(at__gte=datetime.combine(start, time.min, tzinfo=tz))
    if end:
        rows = rows.filter(at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))
    return rows.order_by("-at", "-id")


@staff_view(roles.VIEW_AUDIT)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    keys = ("actor", "action", "target", "result", "start", "end")
    params = {k: request.GET.get(k, "").strip()[:64] for k in keys}
    page = Paginator(audit_search(params), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [
        (
            record,
            ROLE_LABELS.get(record.actor_role, record.actor_role),
            "；".join(f"{key}={value}" for key, value in (record.detail or {}).items()),
        )
        for record in page
    ]
    return render(
        request,
        "backoffice/audit.html",
        {
            "params": params,
            "page": page,
            "rows": rows,
            "results": AuditRecord.Result.choices,
            "query": query.urlencode(),
        },
    )
