"""The production officer's screens under ``/staff/production/``: the production
dashboard (待制卡 per bank, 制卡失败 back with their reason, orders stuck in a stage), batches
(create, review, send), batch files (export, result import)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sscard.accounts.requests import AuthedHttpRequest
from sscard.backoffice.access import staff_view
from sscard.core.errors import DomainError
from sscard.production import selectors
from sscard.production.constants import BatchStatus
from sscard.production.files import RESULT_COLUMNS, batch_export, batch_import_results
from sscard.production.models import Batch
from sscard.production.retention import BatchDownloadClosed, batch_download_closes_at
from sscard.production.services import (
    batch_cancel_draft,
    batch_create,
    batch_send,
    orders_batchable,
)
from sscard.regions.models import Bank
from sscard.regions.selectors import region_settings

VIEW_ORDERS = "production.view_productionorder"
VIEW_BATCH = "production.view_batch"
MAKE_BATCH = "production.add_batch"
SEND_BATCH = "production.change_batch"
EXPORT_BATCH = "production.export_batch"
IMPORT_RESULTS = "production.import_results"


@staff_view(VIEW_ORDERS, VIEW_BATCH)
@require_GET
def dashboard(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/production/dashboard.html",
        {
            "counts": selectors.stage_counts(),
            "queues": selectors.banks_with_waiting_orders(),
            "failed": selectors.orders_failed()[:100],
            "stuck": selectors.orders_stuck()[:100],
            "stuck_days": region_settings().production_stuck_days,
            "batches": selectors.batches_recent(),
        },
    )


@staff_view(VIEW_ORDERS, MAKE_BATCH)
@require_http_methods(["GET", "POST"])
def batch_new(request: AuthedHttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    bank = get_object_or_404(Bank, code=source.get("bank", ""))
    orders = orders_batchable(bank).select_related("card", "person", "outlet").order_by("pk")
    if request.method == "POST":
        try:
            ids = [int(v) for v in request.POST.getlist("orders")]
        except ValueError:
            ids = []
        try:
            if not ids:
                raise DomainError("请至少选择一个订单", field="orders")
            batch = batch_create(bank=bank, order_ids=ids, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已创建批次 {batch.number}，请核对后发送")
            return redirect("production:batch_detail", pk=batch.pk)
    return render(request, "backoffice/production/batch_new.html", {"bank": bank, "orders": orders})


def _detail_context(batch: Batch) -> dict[str, object]:
    return {
        "batch": batch,
        "orders": selectors.batch_orders(batch),
        "imports": batch.imports.select_related("imported_by")[:20],
        "result_columns": RESULT_COLUMNS,
        "draft": batch.status == BatchStatus.DRAFT,
        "download_closed": (closes := batch_download_closes_at(batch)) is not None
        and timezone.now() >= closes,
    }


@staff_view(VIEW_ORDERS, VIEW_BATCH)
@require_GET
def batch_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch.objects.select_related("bank", "created_by"), pk=pk)
    return render(request, "backoffice/production/batch_detail.html", _detail_context(batch))


@staff_view(VIEW_BATCH, SEND_BATCH)
@require_POST
def batch_send_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch, pk=pk)
    try:
        batch = batch_send(batch=batch, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"批次 {batch.number} 已发送，订单进入“数据录入”")
    return redirect("production:batch_detail", pk=pk)


@staff_view(VIEW_BATCH, SEND_BATCH)
@require_POST
def batch_cancel_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch, pk=pk)
    try:
        batch_cancel_draft(batch=batch, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("production:batch_detail", pk=pk)
    messages.success(request, f"批次 {batch.number} 已撤销，订单回到待制卡")
    return redirect("production:dashboard")


@staff_view(VIEW_BATCH, EXPORT_BATCH)
@require_GET
def batch_export_view(request: AuthedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    batch = get_object_or_404(Batch.objects.select_related("bank"), pk=pk)
    try:
        file = batch_export(batch=batch, fmt=fmt, actor=request.user)
    except BatchDownloadClosed as closed:
        context = _detail_context(batch)
        context["export_message"] = closed.message
        return render(request, "backoffice/production/batch_detail.html", context, status=410)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("production:batch_detail", pk=pk)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_view(VIEW_BATCH, IMPORT_RESULTS)
@require_POST
def batch_import_view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch.objects.select_related("bank", "created_by"), pk=pk)
    upload = request.FILES.get("file")
    try:
        outcome = batch_import_results(
            batch=batch,
            file_name=upload.name or "" if upload else "",
            content=upload.read() if upload else b"",
            actor=request.user,
        )
    except DomainError as error:
        context = _detail_context(batch)
        context["import_message"] = error.message
        context["import_errors"] = error.errors
        return render(request, "backoffice/production/batch_detail.html", context, status=422)
    if outcome.previous is not None:
        messages.info(
            request,
            f"该文件已于 {outcome.previous.imported_at:%Y-%m-%d %H:%M} 导入，本次未作任何更改",
        )
    else:
        messages.success(
            request, f"已导入 {outcome.rows} 条记录，其中 {outcome.changed} 条更新了制卡进度"
        )
    return redirect("production:batch_detail", pk=pk)
