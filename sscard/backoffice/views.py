"""The staff's screens: login, the workbench, the review queue, one application and the
decisions on it, and the uploaded files. Views parse input, call one service or selector and
render; every view is wrapped in ``staff_view`` (deny by default)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sscard.accounts.models import User
from sscard.accounts.requests import AuthedHttpRequest
from sscard.applications import services
from sscard.applications.constants import (
    CARD_ITEMS,
    AppStatus,
    ItemCode,
    RejectReason,
    ReturnReason,
    refusal_word,
)
from sscard.applications.duties import decision_refusal, with_hand_in_making
from sscard.applications.models import Application
from sscard.applications.review import (
    RECEIPT_RE,
    QueueFilters,
    application_for_review,
    districts,
    queue_rows,
    review_queue,
)
from sscard.applications.selectors import application_deadline
from sscard.applications.stats import reason_label
from sscard.audit.services import audit_record
from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.backoffice.display import contact_rows, form_rows, guardian_rows, material_rows
from sscard.backoffice.forms import EndForm, RejectForm, ReturnForm
from sscard.backoffice.queue_display import queue_lines
from sscard.core.errors import DomainError, InvalidTransition
from sscard.core.masking import mask_id_number
from sscard.employers.review import employers_awaiting_review
from sscard.web.forms import StaffLoginForm

PAGE_SIZE = 20


class StaffLoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    authentication_form = StaffLoginForm

    def get_default_redirect_url(self) -> str:
        """The workbench, when no safe ``next`` was given."""
        return reverse("backoffice:home")

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if isinstance(form, StaffLoginForm):
            form.ask_for_captcha_if_due()  # this failure may have been the second
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=form.get_user(), action="staff.login", detail={"factor": "totp"})
        return response


@staff_view()
@require_GET
def home(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    counts: dict[str, int] = {}
    if user.has_perm(roles.REVIEW):
        today = timezone.localdate()
        open_rows = Application.objects.filter(item__in=CARD_ITEMS)
        counts = {
            "submitted": open_rows.filter(status=AppStatus.SUBMITTED).count(),
            "accepted": open_rows.filter(status=AppStatus.ACCEPTED).count(),
            "returned": open_rows.filter(status=AppStatus.RETURNED).count(),
            "overdue": review_queue(QueueFilters(overdue=True), today=today).count(),
        }
    employers_pending = (
        employers_awaiting_review().count() if user.has_perm(roles.REVIEW_EMPLOYER) else 0
    )
    return render(
        request,
        "backoffice/home.html",
        {"counts": counts, "employers_pending": employers_pending},
    )


# ---------------------------------------------------------------------------------------------
# The review queue


def _filters(request: AuthedHttpRequest) -> QueueFilters:
    """Filters come in the query string; a search comes in a POST body only, so that an ID
    number typed into it never appears in a URL, a browser history or an access log."""
    get = request.GET
    item = get.get("item", "")
    status = get.get("status", "")
    q = request.POST.get("q", "").strip()[:40] if request.method == "POST" else ""
    return QueueFilters(
        q=q,
        item=item if item in CARD_ITEMS else "",
        status=status
        if status in (AppStatus.SUBMITTED, AppStatus.ACCEPTED, AppStatus.RETURNED)
        else "",
        district=get.get("district", "")[:20],
        overdue=get.get("overdue") == "1",
    )


@staff_view(roles.REVIEW)
@require_http_methods(["GET", "POST"])
def queue(request: AuthedHttpRequest) -> HttpResponse:
    filters = _filters(request)
    today = timezone.localdate()
    rows = with_hand_in_making(review_queue(filters, today=today), request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "searched": mask_search(filters.q),
        "page": page,
        "rows": queue_lines(queue_rows(list(page.object_list), today=today)),
        "districts": districts(),
        "items": [(ItemCode.APPLY, ItemCode.APPLY.label), (ItemCode.REISSUE, "补换卡")],
        "statuses": [
            (AppStatus.SUBMITTED, "待受理"),
            (AppStatus.ACCEPTED, "待审核"),
            (AppStatus.RETURNED, "退回补正"),
        ],
        "query": _query_without_page(request),
    }
    template = "backoffice/queue.html"
    if getattr(request, "htmx", False):
        template += "#results"
    return render(request, template, context)


def mask_search(q: str) -> str:
    """What was searched for, as the page may show it: receipt numbers as typed, anything
    else masked like an ID number."""
    if not q or RECEIPT_RE.fullmatch(q):
        return q
    return mask_id_number(q.upper())


def _query_without_page(request: AuthedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# ---------------------------------------------------------------------------------------------
# One application


def _detail_context(application: Application, user: User, *, revealed: bool) -> dict[str, Any]:
    return {
        "application": application,
        "deadline": application_deadline(application),
        "form_rows": form_rows(application, revealed=revealed),
        "guardian_rows": guardian_rows(application, revealed=revealed),
        "contact_rows": contact_rows(application, revealed=revealed),
        "revealed": revealed,
        "materials": material_rows(application),
        "events": list(application.events.order_by("at", "id")),
        "order": application.production_order,
        "return_form": ReturnForm(initial={"status": application.status}),
        "reject_form": RejectForm(initial={"status": application.status}),
        "end_form": EndForm(initial={"status": application.status}),
        "can_decide": application.item in CARD_ITEMS,
        # why this member of staff may not decide it (separation of duties), shown instead
        # of the decision buttons; the services refuse regardless
        "decision_refusal": decision_refusal(application, user),
        "reason_label": reason_label(application.reason_code) if application.reason_code else "",
        "return_reasons": ReturnReason,
        "reject_reasons": RejectReason,
    }


def _get_application(pk: int) -> Application:
    try:
        return application_for_review(pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


@staff_view(roles.VIEW_APPLICATION)
@require_GET
def application_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    application = _get_application(pk)
    return render(
        request,
        "backoffice/application.html",
        _detail_context(application, request.user, revealed=False),
    )


@staff_view(roles.VIEW_APPLICATION, roles.REVEAL)
@require_POST
def application_reveal(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """显示完整信息: shown once, in this response only, and recorded in the audit trail."""
    application = _get_application(pk)
    audit_record(
        actor=request.user,
        action="application.revealed",
        target=application,
        detail={"receipt": application.receipt_number},
    )
    return render(
        request,
        "backoffice/application.html",
        _detail_context(application, request.user, revealed=True),
    )


# ---------------------------------------------------------------------------------------------
# Decisions


def _someone_else_decided(application: Application) -> str:
    last = application.events.order_by("-at", "-id").first()
    who = f"由{last.actor_label}于{timezone.localtime(last.at):%H:%M}" if last else ""
    action = services.action_label(last.action) if last else "处理"
    return (
        f"该办件已{who}{action}，当前为“{application.get_status_display()}”，"
        "您的操作未执行，请查看最新状态。"
    )


def _decide(
    request: AuthedHttpRequest,
    pk: int,
    act: Callable[[Application], Application],
    done: str,
    *,
    then_queue: bool,
) -> HttpResponse:
    """Run one decision under the application's row lock. The status the reviewer saw is
    posted with the form: when another reviewer decided in the meantime, this one is not
    carried out and the reviewer is told who did what."""
    seen = request.POST.get("status", "")
    try:
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=pk)
            if seen and seen != application.status:
                messages.error(request, _someone_else_decided(application))
                return redirect("backoffice:application", pk=pk)
            application = act(application)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    except InvalidTransition:
        application = Application.objects.get(pk=pk)
        messages.error(request, _someone_else_decided(application))
        return redirect("backoffice:application", pk=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:application", pk=pk)
    messages.success(request, f"{done}：受理编号 {application.receipt_number}")
    if then_queue:
        return redirect("backoffice:queue")
    return redirect("backoffice:application", pk=pk)


@staff_view(roles.REVIEW)
@require_POST
def application_accept(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _decide(
        request,
        pk,
        lambda a: services.application_accept(application=a, actor=user),
        "已受理，办理时限开始计算",
        then_queue=False,
    )


@staff_view(roles.REVIEW)
@require_POST
def application_approve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _decide(
        request,
        pk,
        lambda a: services.application_approve(application=a, actor=user),
        "已审核通过，转入制卡",
        then_queue=True,
    )


@staff_view(roles.REVIEW)
@require_POST
def application_return(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _form_invalid(request, pk, form, "return_form")
    data = form.cleaned_data
    return _decide(
        request,
        pk,
        lambda a: services.application_return(
            application=a, actor=user, reason=data["reason"], reason_code=data["reason_code"]
        ),
        "已退回补正，办理时限暂停计算",
        then_queue=True,
    )


@staff_view(roles.REVIEW)
@require_POST
def application_reject(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _form_invalid(request, pk, form, "reject_form")
    data = form.cleaned_data
    return _decide(
        request,
        pk,
        lambda a: services.application_reject(
            application=a, actor=user, reason=data["reason"], reason_code=data["reason_code"]
        ),
        "已" + refusal_word(request.POST.get("status", "")),
        then_queue=True,
    )


@staff_view(roles.REVIEW)
@require_POST
def application_end(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """终止办理: the card could not be made (制卡失败) and re-sending will not cure it."""
    user = request.user
    form = EndForm(request.POST)
    if not form.is_valid():
        return _form_invalid(request, pk, form, "end_form")
    reason = form.cleaned_data["reason"]
    return _decide(
        request,
        pk,
        lambda a: services.application_end_after_failure(application=a, actor=user, reason=reason),
        "已终止办理，未制成的新卡已注销",
        then_queue=False,
    )


def _form_invalid(request: AuthedHttpRequest, pk: int, form: Any, name: str) -> HttpResponse:
    application = _get_application(pk)
    context = _detail_context(application, request.user, revealed=False)
    context[name] = form
    return render(request, "backoffice/application.html", context)
