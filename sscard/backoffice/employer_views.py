"""待审核单位: the queue of employers waiting for their registration to be reviewed, one
employer with its 营业执照 scan shown in the page, and the two decisions (通过 / 不通过 with a
reason), each confirmed on a second screen before it is carried out. Only staff holding
``accounts.review_employer`` open any of it; every view of a licence is audited."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from sscard.accounts.models import Employer
from sscard.accounts.requests import AuthedHttpRequest
from sscard.audit.services import audit_record
from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.core.errors import DomainError, NotFound
from sscard.employers import review
from sscard.employers.files import licence_response


def _employer(pk: int) -> Employer:
    employer = Employer.objects.select_related("reviewed_by").filter(pk=pk).first()
    if employer is None:
        raise Http404
    return employer


@staff_view(roles.REVIEW_EMPLOYER)
@require_GET
def employer_queue(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/employers.html",
        {
            "pending": review.employers_awaiting_review(),
            "decided": review.employers_recently_decided(),
        },
    )


def _detail(
    request: AuthedHttpRequest,
    employer: Employer,
    *,
    reason: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "backoffice/employer.html",
        {"employer": employer, "reason": reason, "error": error},
        status=status,
    )


@staff_view(roles.REVIEW_EMPLOYER)
@require_GET
def employer_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _employer(pk))


@staff_view(roles.REVIEW_EMPLOYER)
@require_GET
def employer_licence(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    employer = _employer(pk)
    response = licence_response(employer)
    audit_record(actor=request.user, action="employer.licence_viewed", target=employer)
    return response


def _decide(request: AuthedHttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    """First post: the confirmation screen. Second post (``confirm``): the decision, under
    the employer's row lock; a reviewer who lost a race to another is told who decided."""
    employer = _employer(pk)
    actor = request.user
    reason = " ".join(request.POST.get("reason", "").split())[: review.REASON_MAX]
    if not approve and not reason:
        return _detail(request, employer, error="请填写不通过的原因", status=400)
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "backoffice/employer_confirm.html",
            {"employer": employer, "approve": approve, "reason": reason},
        )
    try:
        if approve:
            review.employer_approve(employer_id=pk, actor=actor)
        else:
            review.employer_refuse(employer_id=pk, actor=actor, reason=reason)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:employer", pk=pk)
    messages.success(
        request, f"已{'通过' if approve else '不通过'}：{employer.name}（已通知该单位）"
    )
    return redirect("backoffice:employers")


@staff_view(roles.REVIEW_EMPLOYER)
@require_POST
def employer_approve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@staff_view(roles.REVIEW_EMPLOYER)
@require_POST
def employer_refuse(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)
