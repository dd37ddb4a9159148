"""异常账号: accounts whose holder reported “不是本人操作” (the link in every security
notice). The reviewer sees them (masked), looks into each, and clears the flag with a note
(处理完毕, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from sscard.accounts.flags import account_flag_clear, flagged_accounts
from sscard.accounts.models import User
from sscard.accounts.requests import AuthedHttpRequest
from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.core.errors import DomainError


def _page(
    request: AuthedHttpRequest,
    *,
    errors: dict[int, str] | None = None,
    notes: dict[int, str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "backoffice/flagged.html",
        {"accounts": flagged_accounts(), "errors": errors or {}, "notes": notes or {}},
        status=400 if errors else 200,
    )


@staff_view(roles.REVIEW)
@require_GET
def flagged_list(request: AuthedHttpRequest) -> HttpResponse:
    return _page(request)


@staff_view(roles.REVIEW)
@require_POST
def flagged_clear(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    account = User.objects.filter(pk=pk, flagged_at__isnull=False).first()
    if account is None:
        raise Http404
    note = request.POST.get("note", "")[:300]
    actor = request.user
    try:
        account_flag_clear(user=account, actor=actor, note=note)
    except DomainError as exc:
        return _page(request, errors={pk: exc.message}, notes={pk: note})
    messages.success(request, f"账号{account.audit_label}已处理完毕")
    return redirect("backoffice:flagged")
