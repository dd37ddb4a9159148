"""Portal pages about the account itself: 修改密码 and 查看完整信息 (个人中心), and “不是本人操作？”
— the page a security notice links to, which works without logging in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from sscard.accounts.requests import AuthedHttpRequest
from sscard.accounts.services import person_reveal_own
from sscard.accounts.trust import StepUpRequired
from sscard.cards.services import card_report_not_me
from sscard.core.errors import DomainError, add_to_form
from sscard.notifications.reports import ReportLinkExpired, report_token_read
from sscard.portal.passwords import (
    MAX_WRONG_OLD,
    PasswordChangeForm,
    WrongPassword,
    password_change,
    password_change_refused,
)
from sscard.web.auth import portal_login_required, requester_of
from sscard.web.stepup import step_up_page

WRONG_OLD_KEY = "password_wrong_old"


@portal_login_required
def change_password(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_usable_password():
        return render(request, "portal/password.html", {"no_password": True})
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = password_change(
                user=user, old_password=data["old_password"], new_password=data["password1"]
            )
        except DomainError as exc:
            add_to_form(form, exc)
            if isinstance(exc, WrongPassword):
                password_change_refused(user=user)
                wrong = request.session.get(WRONG_OLD_KEY, 0) + 1
                request.session[WRONG_OLD_KEY] = wrong
                if wrong >= MAX_WRONG_OLD:
                    logout(request)
                    messages.error(request, "原密码多次输入错误，为保障账户安全已退出登录")
                    return redirect("portal:login")
        else:
            update_session_auth_hash(request, user)
            request.session.pop(WRONG_OLD_KEY, None)
            messages.success(request, "登录密码已修改")
            return redirect("portal:center")
    return render(
        request, "portal/password.html", {"form": form}, status=400 if form.errors else 200
    )


@portal_login_required
def my_info(request: AuthedHttpRequest) -> HttpResponse:
    """查看完整信息: the person's own record in full after the step-up (个人中心 shows it
    masked)."""
    if request.user.person is None:
        return redirect("portal:center")
    try:
        person = person_reveal_own(requester=requester_of(request))
    except StepUpRequired as exc:
        return step_up_page(request, exc)
    return render(request, "portal/my_info.html", {"person": person})


@never_cache
def report_not_me(request: HttpRequest, token: str) -> HttpResponse:
    """不是本人操作？ Explains, asks to confirm, then freezes the person's cards (临时挂失) and
    flags their accounts for staff. The token names the notice; nothing personal is in it."""
    try:
        notification = report_token_read(token)
    except DomainError as exc:
        status = 400 if isinstance(exc, ReportLinkExpired) else 404
        return render(request, "portal/report_invalid.html", {"error": exc.message}, status=status)
    context: dict[str, Any] = {"notification": notification, "person": notification.person}
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            context["confirm_error"] = "请勾选确认后再提交"
            return render(request, "portal/report.html", context, status=400)
        outcome = card_report_not_me(notification=notification)
        return render(request, "portal/report_done.html", context | {"outcome": outcome})
    return render(request, "portal/report.html", context)
