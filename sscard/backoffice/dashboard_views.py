"""统计看板: charts drawn on the server (SVG) beside the tables they are made from."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sscard.applications.constants import ItemCode
from sscard.applications.review import districts
from sscard.applications.stats import (
    RECORDED_ITEMS,
    Period,
    dashboard,
    rate_text,
    reason_label,
)
from sscard.appointments.selectors import booking_stats
from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.backoffice.charts import PALETTE, horizontal_bars, stacked_columns
from sscard.production.constants import Stage

MAX_DAYS = 366


def _date(value: str, default: date) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return default


def _period(request: HttpRequest) -> tuple[Period, str]:
    today = timezone.localdate()
    end = _date(request.GET.get("end", ""), today)
    start = _date(request.GET.get("start", ""), end - timedelta(days=29))
    note = ""
    if start > end:
        start, end = end, start
    if (end - start).days >= MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
        note = f"统计区间最长{MAX_DAYS}天，已自动调整"
    district = request.GET.get("district", "")[:20]
    return Period(start=start, end=end, district=district), note


# 网点预约 on the dashboard: the past week (arrivals and no-shows) and the coming one
BOOKING_DAYS = 7


def _bookings() -> dict[str, object]:
    today = timezone.localdate()
    return {
        "booking_days": BOOKING_DAYS,
        "bookings_past": booking_stats(today - timedelta(days=BOOKING_DAYS - 1), today),
        "bookings_coming": booking_stats(
            today + timedelta(days=1), today + timedelta(days=BOOKING_DAYS)
        ),
    }


@staff_view(roles.DASHBOARD)
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    period, note = _period(request)
    board = dashboard(period)
    series = [(code, ItemCode(code).label) for code in RECORDED_ITEMS]
    stage_rows = [
        (Stage(code).label, board.stages.get(code, 0))
        for code in Stage.values
        if code != Stage.COLLECTED
    ]
    sla = board.sla
    # 办结 in the period; then every open card request as it stands today (as the queue)
    sla_rows = [
        ("期间按时办结", sla.on_time),
        ("期间超期办结", sla.late),
        ("当前办理中（正常）", sla.open_on_track),
        ("当前临近时限", sla.at_risk),
        ("当前已超期未办结", sla.overdue),
        ("当前退回补正（暂停计时）", sla.paused),
    ]
    rejection_rows = [(reason_label(c), n) for c, n in board.rejections.most_common()]
    return_rows = [(reason_label(c), n) for c, n in board.returns.most_common()]
    context = {
        "period": period,
        "note": note,
        "districts": districts(),
        "board": board,
        "per_item_rows": [(label, board.per_item.get(code, 0)) for code, label in series],
        "per_day_chart": stacked_columns(
            period.days, board.per_day, series, title="每日办件量（按服务事项）"
        ),
        "sla_rows": sla_rows,
        "sla_rate": rate_text(sla.on_time_rate),
        "sla_chart": horizontal_bars(sla_rows, title="办理时限情况", colour=PALETTE[2]),
        "stage_rows": stage_rows,
        "stage_chart": horizontal_bars(stage_rows, title="制卡积压（按进度）"),
        "outlet_rows": board.outlets,
        "outlet_chart": horizontal_bars(
            [(name, waiting) for name, waiting, _ in board.outlets[:12]],
            title="网点待领卡",
            colour=PALETTE[1],
        ),
        "rejection_rows": rejection_rows,
        "rejection_chart": horizontal_bars(rejection_rows, title="不予受理原因", colour=PALETTE[3]),
        "return_rows": return_rows,
        **_bookings(),
    }
    return render(request, "backoffice/dashboard.html", context)
