"""Periodic sweeps on applications, run by the task worker (``applications/tasks.py``) on the
schedule of ``manage.py run_periodic``. Each is idempotent: run twice, act once — a row is
changed only by a compare-and-set on the value the sweep read, under the row's lock."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from sscard.applications.constants import CARD_ITEMS, ApplicationAction, AppStatus, SlaState
from sscard.applications.models import Application, ApplicationEvent
from sscard.applications.services import application_confirm_delivery
from sscard.audit.services import SYSTEM, audit_record
from sscard.core.workdays import months_before
from sscard.production.constants import Delivery, Stage
from sscard.production.models import ProductionOrder
from sscard.regions.selectors import region_settings, work_calendar

logger = logging.getLogger("sscard.periodic")


def sla_state_on(due_on: date | None, *, today: date, warn_days: int, remaining: int | None) -> str:
    if due_on is None:
        return SlaState.ON_TIME
    if today > due_on:
        return SlaState.OVERDUE
    if remaining is not None and remaining <= warn_days:
        return SlaState.AT_RISK
    return SlaState.ON_TIME


def applications_mark_deadlines(*, today: date | None = None) -> int:
    """Mark open card requests 临近时限 (within the warning days of their legal date) or 已超期;
    an application the clock no longer threatens goes back to 正常. Returns how many changed."""
    today = today or timezone.localdate()
    region = region_settings()
    open_rows = Application.objects.filter(
        item__in=CARD_ITEMS,
        status__in=(AppStatus.ACCEPTED, AppStatus.APPROVED, AppStatus.RETURNED),
    ).values_list("pk", "due_on", "paused_since", "sla_state")
    rows = list(open_rows)
    dues = [due for _, due, _, _ in rows if due is not None]
    calendar = work_calendar(start=min([today, *dues]))
    changed = 0
    for pk, due_on, paused_since, current in rows:
        remaining = (
            calendar.working_days_between(today, due_on)
            if due_on is not None and due_on >= today
            else None
        )
        wanted = (
            SlaState.ON_TIME
            if paused_since is not None
            else sla_state_on(
                due_on, today=today, warn_days=region.deadline_warning_days, remaining=remaining
            )
        )
        if wanted != current and _set_sla_state(pk, current, wanted):
            changed += 1
    logger.info("periodic.sla_marked changed=%s", changed)
    return changed


@transaction.atomic
def _set_sla_state(pk: int, expected: str, wanted: str) -> bool:
    if not Application.objects.filter(pk=pk, sla_state=expected).update(sla_state=wanted):
        return False  # another run got there first
    application = Application.objects.only("pk", "receipt_number").get(pk=pk)
    audit_record(
        actor=None,
        action="application.sla_marked",
        target=application,
        detail={"receipt": application.receipt_number, "from": expected, "to": wanted},
    )
    return True


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def orders_seal_uncollected(*, today: date | None = None) -> int:
    """逾期封存: a card signed in at its outlet more than the set number of months ago (default
    12) and still not collected is marked on its application's timeline, once."""
    today = today or timezone.localdate()
    months = region_settings().uncollected_seal_months
    cutoff = months_before(today, months)
    candidates = (
        Application.objects.filter(
            status=AppStatus.APPROVED,
            production_order__stage=Stage.OUTLET,
            production_order__delivery=Delivery.OUTLET,
            production_order__events__stage=Stage.OUTLET,
            production_order__events__at__lt=_start_of(cutoff),
        )
        .exclude(events__action=ApplicationAction.UNCOLLECTED_SEALED)
        .values_list("pk", flat=True)
        .distinct()
    )
    sealed = 0
    for pk in list(candidates):
        if _seal(pk, months):
            sealed += 1
    logger.info("periodic.uncollected_sealed count=%s", sealed)
    return sealed


@transaction.atomic
def _seal(pk: int, months: int) -> bool:
    application = Application.objects.select_for_update().get(pk=pk)
    if application.events.filter(action=ApplicationAction.UNCOLLECTED_SEALED).exists():
        return False  # another run got there first
    ApplicationEvent.objects.create(
        application=application,
        action=ApplicationAction.UNCOLLECTED_SEALED,
        from_status=application.status,
        to_status=application.status,
        actor_label=SYSTEM,
        note=f"网点签收后{months}个月未领取，逾期封存",
    )
    audit_record(
        actor=None,
        action="application.uncollected_sealed",
        target=application,
        detail={"receipt": application.receipt_number, "months": months},
    )
    return True


AUTO_RECEIVED = "投递后{days}天未确认，视为已领卡"


def orders_confirm_delivered(*, now: datetime | None = None) -> int:
    """A mailed card whose tracking said 已投递 (a locker, a collection point) more than the
    region's ``delivery_confirm_days`` ago and that nobody has confirmed since counts as
    received: 已领卡, the card 封存, the application 办结, the holder told — once, whatever
    else confirms it at the same moment (the order's row lock decides)."""
    now = now or timezone.now()
    days = region_settings().delivery_confirm_days
    candidates = (
        ProductionOrder.objects.filter(
            stage=Stage.DELIVERED,
            delivery=Delivery.MAIL,
            events__stage=Stage.DELIVERED,
            events__at__lt=now - timedelta(days=days),
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    confirmed = 0
    for pk in list(candidates):
        order = ProductionOrder.objects.get(pk=pk)
        if order.stage != Stage.DELIVERED:
            continue  # confirmed meanwhile
        application_confirm_delivery(
            order=order, actor=None, place="系统确认", note=AUTO_RECEIVED.format(days=days)
        )
        confirmed += 1
    logger.info("periodic.delivery_confirmed count=%s", confirmed)
    return confirmed
