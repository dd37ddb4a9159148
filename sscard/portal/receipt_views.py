"""Receipts as PDF (我的办件 → 受理回执 / 办结凭证) and the public page their QR code opens,
``/verify/receipt/<code>/``: anyone holding the paper (an employer, a school) sees the same
masked facts, read from the record now, or that the code does not verify."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sscard.accounts.requests import AuthedHttpRequest
from sscard.audit.services import audit_record
from sscard.ecard.receipts import (
    PdfFontMissing,
    ReceiptKind,
    ReceiptNotReady,
    ReceiptNotVerified,
    receipt_by_code,
    receipt_pdf,
)
from sscard.portal.application_views import own_application
from sscard.web.auth import portal_login_required


def pdf_response(data: bytes, kind: ReceiptKind, receipt: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sscard-{kind}-{receipt}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@portal_login_required
def receipt_download(request: AuthedHttpRequest, receipt: str, kind: str) -> HttpResponse:
    application = own_application(request, receipt)
    try:
        chosen = ReceiptKind(kind)
        data = receipt_pdf(application, chosen)
    except (ValueError, ReceiptNotReady) as error:
        raise Http404 from error
    except PdfFontMissing as missing:
        return render(request, "portal/receipt_unavailable.html", {"error": missing}, status=503)
    audit_record(
        actor=request.user,
        action="receipt.pdf",
        target=application,
        detail={"kind": str(chosen)},
    )
    return pdf_response(data, chosen, application.receipt_number)


@require_GET
@never_cache
def verify_receipt(request: HttpRequest, code: str) -> HttpResponse:
    try:
        facts = receipt_by_code(code)
    except ReceiptNotVerified as refused:
        return render(request, "portal/verify_receipt.html", {"error": refused}, status=404)
    return render(request, "portal/verify_receipt.html", {"facts": facts})
