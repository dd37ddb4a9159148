"""The back office's view of the outbox: delivery status per message, failed ones resent."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from sscard.accounts.requests import AuthedHttpRequest
from sscard.backoffice.access import staff_view
from sscard.core.errors import DomainError
from sscard.notifications import delivery, selectors
from sscard.notifications.constants import Channel, Event, MessageStatus
from sscard.notifications.models import Message

PAGE_SIZE = 50


@staff_view("notifications.view_message")
@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    event = request.GET.get("event", "")
    rows = selectors.messages_for_staff(status=status, channel=channel, event=event)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.status_counts(channel=channel)
    return render(
        request,
        "backoffice/messages/list.html",
        {
            "page": page,
            "status": status,
            "channel": channel,
            "event": event,
            "statuses": [(value, label, counts[value]) for value, label in MessageStatus.choices],
            "channels": Channel.choices,
            "events": Event.choices,
            "can_resend": request.user.has_perm("notifications.resend_message"),
        },
    )


@staff_view("notifications.view_message")
@require_GET
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        Message.objects.select_related("notification__person", "notification__employer", "user"),
        pk=pk,
    )
    return render(
        request,
        "backoffice/messages/detail.html",
        {
            "message": message,
            "can_resend": request.user.has_perm("notifications.resend_message"),
        },
    )


@staff_view("notifications.view_message", "notifications.resend_message")
@require_POST
def message_resend(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk)
    user = request.user
    try:
        delivery.message_resend(message=message, actor=user)
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, "已重新加入发送队列")
    return redirect("notifications_staff:detail", pk=pk)
