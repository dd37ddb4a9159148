"""The 消息中心 at /messages/: the list, marking read, the holder's channel preferences (the
outbox's messages and preferences are sscard.notifications')."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from sscard.accounts.requests import AuthedHttpRequest
from sscard.notifications import selectors, services
from sscard.notifications.constants import ALWAYS_BY_SMS, Event

PAGE_SIZE = 20


@login_required
@require_http_methods(["GET"])
def inbox(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.inbox_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.unread_count(user)},
    )


@login_required
@require_POST
def mark_read(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    message = get_object_or_404(selectors.inbox_for(user), pk=pk)
    services.inbox_mark_read(user=user, message_id=message.pk)
    if getattr(request, "htmx", False):
        message.refresh_from_db()
        return render(request, "notifications/inbox.html#message", {"message": message})
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: AuthedHttpRequest) -> HttpResponse:
    services.inbox_mark_read(user=request.user)
    return redirect("notifications:inbox")


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    suffix = f"?page={page}" if page.isdigit() else ""
    return reverse("notifications:inbox") + suffix


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    person = user.person
    if person is None:  # an employer's account: its messages are in the 消息中心 only
        return redirect("notifications:inbox")
    if request.method == "POST":
        services.preference_set(
            person=person,
            sms=request.POST.get("sms") == "on",
            wechat=request.POST.get("wechat") == "on",
            actor=user,
        )
        return redirect(reverse("notifications:preferences") + "?saved=1")
    return render(
        request,
        "notifications/preferences.html",
        {
            "saved": request.GET.get("saved") == "1",
            "preference": services.preference_of(person),
            "always": [Event(e).label for e in sorted(ALWAYS_BY_SMS)],
        },
    )
