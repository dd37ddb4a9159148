"""Reads for the staff dashboard: applications per item per day, compliance with the legal
time limit, the production backlog per stage and per outlet, and the reasons for refusals —
for a chosen period and district. Each figure is one grouped query."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from sscard.applications.constants import (
    CARD_ITEMS,
    ApplicationAction,
    AppStatus,
    ItemCode,
    RejectReason,
    ReturnReason,
)
from sscard.applications.models import Application
from sscard.production.constants import Stage
from sscard.production.models import ProductionOrder
from sscard.regions.selectors import region_settings, work_calendar

RECORDED_ITEMS = (ItemCode.APPLY, ItemCode.ENABLE, ItemCode.LOSS, ItemCode.REISSUE, ItemCode.CHANGE)
# Accepted (the clock has started) and not yet 办结: the legal time limit still runs.
SLA_OPEN_STATUSES = (AppStatus.ACCEPTED, AppStatus.APPROVED, AppStatus.RETURNED)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    district: str = ""

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass
class Sla:
    on_time: int = 0  # 办结 in the period, within the legal date
    late: int = 0  # 办结 in the period, after it
    open_on_track: int = 0  # open today (accepted whenever), the rest below likewise
    at_risk: int = 0  # open, within the warning days
    overdue: int = 0  # open, past the legal date
    paused: int = 0  # 退回补正, the clock stopped

    @property
    def finished(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.finished if self.finished else None


@dataclass
class Dashboard:
    period: Period
    per_day: dict[date, Counter[str]] = field(default_factory=dict)
    per_item: Counter[str] = field(default_factory=Counter)
    sla: Sla = field(default_factory=Sla)
    stages: Counter[str] = field(default_factory=Counter)
    outlets: list[tuple[str, int, int]] = field(default_factory=list)  # name, waiting, open
    rejections: Counter[str] = field(default_factory=Counter)
    returns: Counter[str] = field(default_factory=Counter)


def _in_district(rows: QuerySet[Application], district: str) -> QuerySet[Application]:
    return rows.filter(outlet__district=district) if district else rows


def dashboard(period: Period, *, today: date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    board = Dashboard(period=period, per_day={day: Counter() for day in period.days})
    submitted = _in_district(
        Application.objects.filter(
            submitted_at__date__gte=period.start, submitted_at__date__lte=period.end
        ),
        period.district,
    )
    for day, item, count in (
        submitted.annotate(day=TruncDate("submitted_at", tzinfo=tz))
        .values_list("day", "item")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        board.per_day.setdefault(day, Counter())[item] += count
        board.per_item[item] += count

    _sla(board, period, today)

    orders = ProductionOrder.objects.exclude(stage=Stage.COLLECTED)
    if period.district:
        orders = orders.filter(outlet__district=period.district)
    board.stages.update(dict(orders.values_list("stage").annotate(n=Count("pk")).order_by()))

    open_apps = _in_district(
        Application.objects.filter(
            item__in=CARD_ITEMS,
            status__in=(AppStatus.SUBMITTED, AppStatus.ACCEPTED, AppStatus.RETURNED),
        ),
        period.district,
    )
    waiting = dict(
        orders.filter(stage=Stage.OUTLET).values_list("outlet__name").annotate(n=Count("pk"))
    )
    pending = dict(
        open_apps.filter(outlet__isnull=False)
        .values_list("outlet__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    board.outlets = sorted(
        ((name, waiting.get(name, 0), pending.get(name, 0)) for name in {*waiting, *pending}),
        key=lambda row: (-row[1] - row[2], row[0]),
    )

    decided = _in_district(
        Application.objects.filter(
            decided_at__date__gte=period.start, decided_at__date__lte=period.end
        ),
        period.district,
    )
    board.rejections.update(
        dict(
            decided.filter(status=AppStatus.REJECTED)
            .values_list("reason_code")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    returned = _in_district(
        Application.objects.filter(
            events__action=ApplicationAction.RETURN,
            events__at__date__gte=period.start,
            events__at__date__lte=period.end,
        ),
        period.district,
    )
    # a return's reason is the application's latest one
    board.returns.update(
        dict(returned.values_list("reason_code").annotate(n=Count("pk", distinct=True)).order_by())
    )
    return board


def _sla(board: Dashboard, period: Period, today: date) -> None:
    """The legal time limit of card requests, seen two ways. 办结 in the period: on time or
    late (the 按时办结率). Open now, whenever they were accepted: on track, at risk, past their
    legal date (已超期未办结: open today and past its deadline, as the queue counts it) or
    paused for correction."""
    region = region_settings()
    card_requests = _in_district(Application.objects.filter(item__in=CARD_ITEMS), period.district)
    sla = board.sla
    finished = card_requests.filter(
        status=AppStatus.COMPLETED,
        completed_at__date__gte=period.start,
        completed_at__date__lte=period.end,
    )
    for due_on, completed_at in finished.values_list("due_on", "completed_at"):
        if due_on is None or timezone.localdate(completed_at) <= due_on:
            sla.on_time += 1
        else:
            sla.late += 1
    open_now = card_requests.filter(status__in=SLA_OPEN_STATUSES)
    rows = list(open_now.values_list("due_on", "paused_since"))
    calendar = work_calendar(start=today)
    for due_on, paused_since in rows:
        if paused_since is not None or due_on is None:
            sla.paused += 1
        elif today > due_on:
            sla.overdue += 1
        elif calendar.working_days_between(today, due_on) <= region.deadline_warning_days:
            sla.at_risk += 1
        else:
            sla.open_on_track += 1


REASON_LABELS = {**dict(RejectReason.choices), **dict(ReturnReason.choices)}


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, "未分类")


def rate_text(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "—"
