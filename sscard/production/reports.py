"""What the bank and the card factory report about the orders of a batch — over the partner
API or in a result file — and how each report is applied.

A report is applied at most once in effect: a stage already reached is a repeat and changes
nothing; a stage behind the order's current one is a late report that only fills in the
timeline; a stage ahead moves the order forward (the stages in between fill in when their own
reports arrive). A list of reports is applied whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sscard.audit.services import audit_record
from sscard.cards.services import card_set_bank_account
from sscard.core.errors import DomainError
from sscard.production.constants import (
    COURIER_STAGES,
    IN_PRODUCTION_STAGES,
    REPORTABLE_STAGES,
    REPORTER_STAGES,
    STAGE_RANK,
    Delivery,
    Reporter,
    Stage,
)
from sscard.production.models import Batch, ProductionEvent, ProductionOrder
from sscard.production.services import (
    order_collect,
    order_fail,
    order_transition,
)

# how far ahead of our clock a partner's report time may be
CLOCK_SKEW = timedelta(minutes=5)


class ReportKind(StrEnum):
    """What a report says: the order reached a stage, the card was made, or making it failed."""

    STAGE = "stage"
    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True)
class Report:
    order_id: int
    kind: ReportKind
    stage: str = ""
    at: datetime | None = None
    place: str = ""
    tracking_number: str = ""
    card_number: str = ""
    bank_account: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ReportOutcome:
    order_id: int
    stage: str
    changed: bool


class ReportsRejected(DomainError):
    """Some reports of a list cannot be applied; none was. ``errors`` maps each bad report's
    key (its index, or its line in a file) to the reason."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(
            f"共{len(errors)}条记录有误，全部未导入", code="reports_rejected", errors=errors
        )


class ReportNotAllowed(DomainError):
    """A partner reported what its kind may not (REPORTER_STAGES); nothing was applied."""


def _check_reporter(reporter: str, report: Report) -> None:
    if report.kind == ReportKind.SUCCESS and reporter != Reporter.BANK:
        raise ReportNotAllowed("开户结果（银行账号）由合作银行报告", code="not_for_reporter")
    stage = report.stage
    allowed = REPORTER_STAGES[reporter]
    if report.kind == ReportKind.STAGE and stage in REPORTABLE_STAGES and stage not in allowed:
        # a partner reports a mailed card's 已领卡 as the courier's 已签收
        said = "已签收" if stage == Stage.COLLECTED else Stage(stage).label
        message = f"{Reporter(reporter).label}不能报告“{said}”"
        raise ReportNotAllowed(message, code="not_for_reporter")


def _round_started(order: ProductionOrder) -> datetime:
    """When the order's data was last sent: the stages of this round are those after it."""
    sent = (
        order.events.filter(stage=Stage.DATA_SENT)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
    ).first()
    return sent or order.created_at


def _check_time(at: datetime, order: ProductionOrder, started: datetime, now: datetime) -> None:
    if at > now + CLOCK_SKEW:
        raise DomainError("报告时间晚于当前时间", code="future_time", field="at")
    if at < started:
        raise DomainError("报告时间早于本次数据录入时间", code="time_before_sent", field="at")


def _locked(orders: QuerySet[ProductionOrder]) -> QuerySet[ProductionOrder]:
    """``orders`` locked (their own rows only: PostgreSQL refuses FOR UPDATE on the nullable
    outlet join) in the order of their primary keys, the lock order of several orders."""
    return orders.select_for_update(of=("self",)).select_related("card", "outlet").order_by("pk")


@transaction.atomic
def order_report(
    *, order: ProductionOrder, report: Report, by: str, now: datetime | None = None
) -> bool:
    """Apply one report to one order; True when it changed something."""
    order = _locked(ProductionOrder.objects.filter(pk=order.pk)).get()
    _order, changed = _apply(order, report, by=by, now=now or timezone.now())
    return changed


def _apply(
    order: ProductionOrder, report: Report, *, by: str, now: datetime
) -> tuple[ProductionOrder, bool]:
    """Apply one report to one order, its row locked by the caller: the order as it is now
    (a stage change gives a new copy), and whether the report changed something."""
    if order.stage == Stage.APPROVED:
        raise DomainError("订单尚未发送制卡数据", code="not_sent")
    started = _round_started(order)
    at = report.at or now
    _check_time(at, order, started, now)

    if report.kind == ReportKind.FAILURE:
        if order.stage == Stage.FAILED:
            return order, False  # said before
        if order.stage not in IN_PRODUCTION_STAGES:
            raise DomainError(
                f"订单当前为“{order.get_stage_display()}”，不能报告制卡失败", code="too_late"
            )
        return order_fail(
            order=order, reason=report.reason, actor=None, at=at, by=by, now=now
        ), True

    if report.kind == ReportKind.SUCCESS:
        if report.card_number != order.card.number:
            raise DomainError("卡号与订单不符", code="card_mismatch", field="card_number")
        if order.stage == Stage.FAILED:
            raise DomainError("订单已报告制卡失败，等待重新发送", code="order_failed")
        if not report.bank_account:
            raise DomainError("请填写银行账号", code="missing_account", field="bank_account")
        return order, card_set_bank_account(card=order.card, account=report.bank_account, by=by)

    if report.kind != ReportKind.STAGE or report.stage not in REPORTABLE_STAGES:
        raise DomainError("进度不正确", code="bad_stage", field="stage")
    stage = report.stage
    if stage == Stage.OUTLET and order.delivery != Delivery.OUTLET:
        raise DomainError("该订单为邮寄领卡，不能由网点签收", code="wrong_delivery")
    if stage == Stage.MAILED or stage in COURIER_STAGES:
        if order.delivery != Delivery.MAIL:
            raise DomainError("该订单为网点领取，不能邮寄", code="wrong_delivery")
        if not report.tracking_number:
            raise DomainError("请填写快递单号", code="missing_tracking", field="tracking_number")
    if stage in COURIER_STAGES:
        _check_courier(order, report.tracking_number)
    place = report.place or (order.outlet.name if stage == Stage.OUTLET and order.outlet else "")
    note = f"快递单号 {report.tracking_number}" if report.tracking_number else ""
    if stage == Stage.COLLECTED:
        if order.stage == Stage.COLLECTED:
            return order, False  # signed for already (or confirmed by the holder): nothing to add
        moved = order_collect(
            order=order, actor=None, place=place or "快递签收", note=note, at=at, by=by, now=now
        )
        return moved, True
    reached = order.events.filter(stage=stage, at__gte=started).exists()
    if reached:
        return order, False  # a repeat
    if order.stage == Stage.FAILED:
        raise DomainError("订单已报告制卡失败，等待重新发送", code="order_failed")
    if STAGE_RANK[stage] > STAGE_RANK[order.stage]:
        changes = {"tracking_number": report.tracking_number} if stage == Stage.MAILED else {}
        moved = order_transition(
            order=order,
            to=stage,
            actor=None,
            place=place,
            note=note,
            at=at,
            by=by,
            allow_skip=True,
            now=now,
            **changes,
        )
        return moved, True
    # a late report of a stage the order has already passed: it fills in the timeline only
    ProductionEvent.objects.create(
        order=order, stage=stage, at=at, place=place, note=note, actor_label=by
    )
    audit_record(
        actor=None,
        action="production.late_report",
        target=order,
        detail={"stage": stage, "current": order.stage, "by": by},
        at=now,
    )
    return order, True


def _check_courier(order: ProductionOrder, tracking_number: str) -> None:
    """The courier's 已投递 and 已签收 name the parcel: it must be the one this order was
    mailed in."""
    if not order.tracking_number:
        raise DomainError(
            "订单尚未报告已寄出，不能报告投递或签收", code="not_mailed", field="stage"
        )
    if tracking_number != order.tracking_number:
        raise DomainError("快递单号与订单不符", code="tracking_mismatch", field="tracking_number")


def batch_apply_reports(
    *,
    batch: Batch,
    reports: list[tuple[str, Report]],
    by: str,
    reporter: str | None = None,
    now: datetime | None = None,
) -> list[ReportOutcome]:
    """Apply ``(key, report)`` pairs in order, all or none: every bad one is named by its
    key in :class:`ReportsRejected`. A partner system's ``reporter`` kind (:class:`Reporter`)
    may report only its own stages, else :class:`ReportNotAllowed` before anything is tried;
    staff importing a result file pass none."""
    if reporter is not None:
        for _key, report in reports:
            _check_reporter(reporter, report)
    errors: dict[str, str] = {}
    outcomes: list[ReportOutcome] = []
    now = now or timezone.now()
    with transaction.atomic():
        # Only the orders the reports name (one report costs the same in a batch of any
        # size), all locked before the first change, by primary key: the lock order
        # (production.services). Not the batch: its row is locked last and briefly, when an
        # order leaving the bank or the factory may close it (order_transition).
        named = {report.order_id for _key, report in reports}
        orders = {o.pk: o for o in _locked(batch.orders.filter(pk__in=named))}
        for key, report in reports:
            order = orders.get(report.order_id)
            if order is None:
                errors[key] = f"订单#{report.order_id}不在批次{batch.number}中"
                continue
            try:
                with transaction.atomic():
                    order, changed = _apply(order, report, by=by, now=now)
            except DomainError as error:
                errors[key] = error.message
                continue
            orders[order.pk] = order
            outcomes.append(ReportOutcome(order.pk, order.stage, changed))
        if errors:
            raise ReportsRejected(errors)
    return outcomes
