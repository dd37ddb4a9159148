"""单位服务 under /employer/: registration, 经办人 logins, 批量申领 (template, upload, progress,
preview, confirm) and the employer's applications. Every batch and receipt is looked up within
the signed-in employer: another employer's answers 404."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sscard.accounts.models import Employer, User
from sscard.applications.constants import AppStatus
from sscard.applications.models import ApplicationEvent
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError, NotFound, add_to_form
from sscard.employer_site.forms import ClerkForm, EmployerRegisterForm, LicenceForm, UploadForm
from sscard.employers import review, selectors, services, sheets
from sscard.employers.files import licence_response
from sscard.employers.models import Batch
from sscard.web.auth import portal_login, portal_login_required

View = Callable[..., HttpResponse]
XLSX = sheets.XLSX_CONTENT_TYPE


def employer_required(view: View) -> View:
    """Signed-in employer accounts only (citizens are told this is the employer's area)."""

    @portal_login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or user.role != User.Role.EMPLOYER or not user.employer:
            return render(request, "employers/not_employer.html", status=403)
        return view(request, user, user.employer, *args, **kwargs)

    return wrapped


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _batch(employer: Employer, batch_id: Any) -> Batch:
    batch = selectors.employer_batch(employer, batch_id)
    if batch is None:
        raise Http404
    return batch


# ---------------------------------------------------------------------------------------------
# Home, registration, clerks


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, User) and user.role == User.Role.EMPLOYER and user.employer:
        employer = user.employer
        context = {
            "employer": employer,
            "manager": services.is_manager(user),
            "batches": selectors.employer_batches(employer)[:5],
            "open_count": selectors.employer_applications(employer)
            .exclude(status__in=(AppStatus.COMPLETED, AppStatus.WITHDRAWN, AppStatus.REJECTED))
            .count(),
        }
        return render(request, "employers/home.html", context)
    return render(request, "employers/welcome.html")


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    form = EmployerRegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.employer_account_register(
                name=data["employer_name"],
                uscc=data["uscc"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                username=data["username"],
                password=data["password1"],
                licence=data["licence"],
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            portal_login(request, user)
            messages.success(request, "单位注册成功，已为您登录。营业执照待工作人员审核")
            return redirect("employers:index")
    return render(
        request, "employers/register.html", {"form": form}, status=400 if form.errors else 200
    )


@employer_required
def licence(request: HttpRequest, user: User, employer: Employer) -> HttpResponse:
    """单位注册审核: where the registration stands, the licence on file, and (until approved)
    the manager's way to upload a new one, which puts the registration back to 待审核."""
    manager = services.is_manager(user)
    form = LicenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            review.employer_licence_replace(user=user, upload=form.cleaned_data["licence"])
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "已重新上传营业执照，请等待工作人员审核")
            return redirect("employers:licence")
    employer.refresh_from_db()
    return render(
        request,
        "employers/licence.html",
        {"employer": employer, "form": form, "manager": manager},
        status=400 if form.errors else 200,
    )


@require_GET
@employer_required
def licence_file(request: HttpRequest, user: User, employer: Employer) -> HttpResponse:
    """The employer's own licence (no id in the address: another employer's is unreachable)."""
    return licence_response(employer)


@employer_required
def clerks(request: HttpRequest, user: User, employer: Employer) -> HttpResponse:
    manager = services.is_manager(user)
    form = ClerkForm(request.POST or None)
    if request.method == "POST":
        if not manager:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.clerk_add(
                    manager=user,
                    name=data["name"],
                    username=data["username"],
                    password=data["password1"],
                )
            except DomainError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, "已添加经办人账号")
                return redirect("employers:clerks")
    logins = User.objects.filter(employer=employer, role=User.Role.EMPLOYER).order_by("pk")
    return render(
        request,
        "employers/clerks.html",
        {"form": form, "logins": logins, "manager": manager, "me": user},
        status=400 if form.errors else 200,
    )


@require_POST
@employer_required
def clerk_toggle(request: HttpRequest, user: User, employer: Employer, pk: int) -> HttpResponse:
    clerk = User.objects.filter(pk=pk, employer=employer, role=User.Role.EMPLOYER).first()
    if clerk is None:
        raise Http404
    try:
        services.clerk_set_active(manager=user, clerk=clerk, active=not clerk.is_active)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("employers:clerks")


# ---------------------------------------------------------------------------------------------
# 批量申领


@employer_required
def template_download(request: HttpRequest, user: User, employer: Employer) -> HttpResponse:
    return _xlsx(
        sheets.template_workbook(), "%E6%89%B9%E9%87%8F%E7%94%B3%E9%A2%86%E6%A8%A1%E6%9D%BF.xlsx"
    )


@employer_required
def batches(request: HttpRequest, user: User, employer: Employer) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch, created = services.batch_upload(
                user=user,
                workbook=form.cleaned_data["workbook"],
                photos=form.cleaned_data["photos"],
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            if not created:
                messages.info(request, "该文件已上传过，以下是该批次的处理情况，未重复创建")
            return redirect("employers:batch", batch_id=batch.pk)
    listed = selectors.employer_batches(employer)[:30]
    return render(
        request,
        "employers/batches.html",
        {
            "form": form,
            "batches": listed,
            "max_rows": sheets.MAX_ROWS,
            "approved": employer.approved,
        },
        status=400 if form.errors else 200,
    )


def _batch_context(batch: Batch) -> dict[str, Any]:
    total = batch.good_count if batch.status == Batch.Status.SUBMITTING else batch.row_count
    done = (
        services.submitted_so_far(batch)
        if batch.status in (Batch.Status.SUBMITTING, Batch.Status.SUBMITTED)
        else batch.checked_count
    )
    if batch.status == Batch.Status.VALIDATING and not total:
        done = None  # the check has not read the sheet yet: no count to show
    percent = int(100 * (done or 0) / total) if total else 0
    return {"batch": batch, "done": done, "total": total, "percent": percent}


@employer_required
def batch_detail(
    request: HttpRequest, user: User, employer: Employer, batch_id: Any
) -> HttpResponse:
    batch = _batch(employer, batch_id)
    context = _batch_context(batch)
    if batch.status in (Batch.Status.READY, Batch.Status.SUBMITTED):
        bad = batch.rows.filter(ok=False).order_by("line")
        context["bad_rows"] = Paginator(bad, 100).get_page(request.GET.get("page"))
    if batch.status == Batch.Status.SUBMITTED:
        context["fixed_count"] = batch.rows.filter(ok=True, photo_fixed=True).count()
    return render(request, "employers/batch.html", context)


@employer_required
def batch_progress(
    request: HttpRequest, user: User, employer: Employer, batch_id: Any
) -> HttpResponse:
    """The progress bar, polled by htmx; once the work is done the page reloads itself."""
    batch = _batch(employer, batch_id)
    response = render(request, "employers/_progress.html", _batch_context(batch))
    if not batch.running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@employer_required
def batch_errors(
    request: HttpRequest, user: User, employer: Employer, batch_id: Any
) -> HttpResponse:
    batch = _batch(employer, batch_id)
    if batch.status not in (Batch.Status.READY, Batch.Status.SUBMITTED):
        raise Http404
    audit_record(actor=user, action="employer.batch_errors_exported", target=batch)
    return _xlsx(
        sheets.errors_workbook(services.error_rows(batch)),
        "%E6%A0%A1%E9%AA%8C%E7%BB%93%E6%9E%9C.xlsx",
    )


@require_POST
@employer_required
def batch_submit(
    request: HttpRequest, user: User, employer: Employer, batch_id: Any
) -> HttpResponse:
    batch = _batch(employer, batch_id)
    try:
        services.batch_submit(user=user, batch_id=batch.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("employers:batch", batch_id=batch.pk)


@require_POST
@employer_required
def batch_cancel(
    request: HttpRequest, user: User, employer: Employer, batch_id: Any
) -> HttpResponse:
    batch = _batch(employer, batch_id)
    try:
        services.batch_cancel(user=user, batch_id=batch.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已放弃该批次，未提交任何申请")
    return redirect("employers:batches")


# ---------------------------------------------------------------------------------------------
# Progress of the employer's applications


def _filtered(request: HttpRequest, employer: Employer) -> tuple[Any, dict[str, str]]:
    # an ID number is searched by POST: personal data stays out of URLs and access logs
    doc_number = request.POST.get("doc_number", "").strip() if request.method == "POST" else ""
    filters = {
        "status": request.GET.get("status", ""),
        "doc_number": doc_number,
        "batch": request.GET.get("batch", ""),
    }
    batch = None
    if filters["batch"]:
        try:
            batch = selectors.employer_batch(employer, uuid.UUID(filters["batch"]))
        except ValueError:
            batch = None
        if batch is None:
            raise Http404
    found = selectors.employer_applications(
        employer, status=filters["status"], doc_number=filters["doc_number"], batch=batch
    )
    return found, filters


@employer_required
def applications(request: HttpRequest, user: User, employer: Employer) -> HttpResponse:
    found, filters = _filtered(request, employer)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    for application in page:
        application.stage_label = selectors.stage_label(application)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v and k != "doc_number")
    return render(
        request,
        "employers/applications.html",
        {
            "page": page,
            "filters": filters,
            "statuses": AppStatus.choices,
            "total": page.paginator.count,
            "query": query,
        },
    )


@employer_required
def applications_export(request: HttpRequest, user: User, employer: Employer) -> HttpResponse:
    found, _filters = _filtered(request, employer)
    rows = (
        (
            a.receipt_number,
            a.subject.masked_name,
            a.subject.masked_doc_number,
            a.get_item_display(),
            a.get_status_display(),
            selectors.stage_label(a),
            a.production_order.get_delivery_display() if a.production_order else "",
            a.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        )
        for a in found.iterator(chunk_size=500)
    )
    content = sheets.export_workbook(rows)
    audit_record(actor=user, action="employer.applications_exported", target=employer)
    return _xlsx(content, "%E7%94%B3%E9%A2%86%E8%BF%9B%E5%BA%A6.xlsx")


@employer_required
def application_detail(
    request: HttpRequest, user: User, employer: Employer, receipt: str
) -> HttpResponse:
    application = selectors.employer_application(employer, receipt)
    if application is None:
        raise Http404
    events = ApplicationEvent.objects.filter(application=application).order_by("at", "pk")
    order = application.production_order
    production = order.events.order_by("at", "pk") if order else []
    return render(
        request,
        "employers/application.html",
        {
            "a": application,
            "events": events,
            "production": production,
            "stage": selectors.stage_label(application),
            "back": reverse("employers:employees"),
        },
    )
