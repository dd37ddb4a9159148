"""Batches, partner reports arriving out of order or twice, failures and the stuck flag."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications.models import Application
from sscard.applications.selectors import query_progress
from sscard.audit.models import AuditRecord
from sscard.core.errors import DomainError
from sscard.production.constants import BatchStatus, Reporter, Stage
from sscard.production.models import ProductionOrder
from sscard.production.reports import (
    Report,
    ReportKind,
    ReportNotAllowed,
    ReportsRejected,
    batch_apply_reports,
)
from sscard.production.selectors import batches_recent, orders_stuck
from sscard.production.services import batch_acknowledge, batch_create, batch_send, order_fail
from sscard.testing.factories import BankFactory

pytestmark = pytest.mark.django_db

BY = "合作银行：测试"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def stage(order_id: int, to: str, **kw) -> Report:
    return Report(order_id=order_id, kind=ReportKind.STAGE, stage=to, **kw)


def sent_batch(bank, orders, producer):
    batch = batch_create(bank=bank, order_ids=[o.pk for o in orders], actor=producer)
    return batch_send(batch=batch, actor=producer)


def test_a_batch_gathers_a_banks_approved_orders_and_sending_it_enters_their_data(
    make_orders, bank, producer
):
    orders = make_orders(2)
    batch = batch_create(bank=bank, order_ids=None, actor=producer)
    assert batch.status == BatchStatus.DRAFT
    assert set(batch.orders.values_list("pk", flat=True)) == {o.pk for o in orders}

    batch = batch_send(batch=batch, actor=producer)

    assert batch.status == BatchStatus.SENT
    assert set(ProductionOrder.objects.values_list("stage", flat=True)) == {Stage.DATA_SENT}
    with pytest.raises(DomainError, match="已发送"):
        batch_send(batch=batch, actor=producer)


def test_a_batch_made_and_sent_at_a_given_time_is_numbered_and_stamped_for_it(
    make_orders, bank, producer
):
    """The officer's steps told when they happened (the demo data replays the past): the
    batch number carries that day, and the batch, its orders' timeline and the trail that
    moment."""
    made, sent = datetime(2026, 3, 2, 9, tzinfo=SHANGHAI), datetime(2026, 3, 3, 10, tzinfo=SHANGHAI)
    (order,) = make_orders(1)

    batch = batch_create(bank=bank, order_ids=[order.pk], actor=producer, now=made)
    batch = batch_send(batch=batch, actor=producer, now=sent)

    assert batch.number.startswith("PB20260302")
    assert batch.created_at == made
    assert batch.sent_at == sent
    order.refresh_from_db()
    assert order.updated_at == sent
    assert order.events.get(stage=Stage.DATA_SENT).at == sent
    trail = AuditRecord.objects.filter(action__startswith="production.batch_")
    assert sorted(record.at for record in trail) == [made, sent]


def test_a_batch_moves_only_along_its_lifecycle_and_each_move_is_audited(
    make_orders, bank, producer
):
    from sscard.production.services import batch_transition

    batch = sent_batch(bank, make_orders(1), producer)
    done = batch_transition(batch=batch, to=BatchStatus.DONE, actor=None, detail={})

    with pytest.raises(DomainError, match="不能变更为“已发送”"):
        batch_transition(batch=done, to=BatchStatus.SENT, actor=producer, detail={})
    assert list(
        AuditRecord.objects.filter(action__startswith="production.batch_")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["production.batch_created", "production.batch_sent", "production.batch_done"]


def test_an_order_is_in_one_draft_batch_only_and_only_with_its_own_bank(
    make_orders, bank, producer
):
    (order,) = make_orders(1)
    batch_create(bank=bank, order_ids=[order.pk], actor=producer)
    with pytest.raises(DomainError, match="不能加入批次"):
        batch_create(bank=bank, order_ids=[order.pk], actor=producer)
    other = BankFactory(code="BOC", name="中国银行")
    with pytest.raises(DomainError, match="不能加入批次"):
        batch_create(bank=other, order_ids=[order.pk], actor=producer)


def test_only_the_production_officer_makes_batches(make_orders, bank, reviewer):
    make_orders(1)
    with pytest.raises(DomainError, match="权限"):
        batch_create(bank=bank, order_ids=None, actor=reviewer)


def test_stages_reported_twice_change_nothing_the_second_time(make_orders, bank, producer):
    (order,) = make_orders(1)
    batch = sent_batch(bank, [order], producer)
    first = batch_apply_reports(batch=batch, reports=[("0", stage(order.pk, "producing"))], by=BY)
    again = batch_apply_reports(batch=batch, reports=[("0", stage(order.pk, "producing"))], by=BY)
    assert first[0].changed and not again[0].changed
    order.refresh_from_db()
    assert order.stage == Stage.PRODUCING
    assert order.events.filter(stage=Stage.PRODUCING).count() == 1


def test_the_card_factory_reports_only_that_it_is_making_the_card(make_orders, bank, producer):
    (order,) = make_orders(1)
    batch = sent_batch(bank, [order], producer)
    making, at_bank = stage(order.pk, "producing"), stage(order.pk, "city_bank")
    account = Report(
        order_id=order.pk,
        kind=ReportKind.SUCCESS,
        card_number=order.card.number,
        bank_account="6222000011112222",
    )

    for reports, said in (
        ([("0", making), ("1", at_bank)], "制卡厂不能报告“市银行签收”"),
        ([("0", stage(order.pk, "collected"))], "制卡厂不能报告“已签收”"),
        ([("0", account)], "开户结果（银行账号）由合作银行报告"),
    ):
        with pytest.raises(ReportNotAllowed, match=said):
            batch_apply_reports(batch=batch, reports=reports, by=BY, reporter=Reporter.FACTORY)
    order.refresh_from_db()
    assert order.stage == Stage.DATA_SENT  # nothing of a refused list was applied

    batch_apply_reports(batch=batch, reports=[("0", making)], by=BY, reporter=Reporter.FACTORY)
    # the bank reports the rest; staff importing a result file name no reporter
    batch_apply_reports(batch=batch, reports=[("0", at_bank)], by=BY, reporter=Reporter.BANK)
    order.refresh_from_db()
    assert order.stage == Stage.CITY_BANK


def test_a_late_report_fills_the_timeline_and_never_moves_the_order_back(
    make_orders, bank, producer, citizen
):
    (order,) = make_orders(1)
    batch = sent_batch(bank, [order], producer)
    sent = order.events.get(stage=Stage.DATA_SENT).at
    now = sent + timedelta(seconds=2)
    # 市银行签收 arrives before 制卡中
    batch_apply_reports(
        batch=batch,
        reports=[("0", stage(order.pk, "city_bank", at=now, place="工商银行揭阳分行"))],
        by=BY,
    )
    order.refresh_from_db()
    assert order.stage == Stage.CITY_BANK
    batch_apply_reports(
        batch=batch,
        reports=[("0", stage(order.pk, "producing", at=now - timedelta(seconds=1)))],
        by=BY,
    )
    order.refresh_from_db()
    assert order.stage == Stage.CITY_BANK
    stages = list(order.events.order_by("at", "id").values_list("stage", flat=True))
    assert stages == [Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK]


def test_a_report_list_is_applied_whole_or_not_at_all(make_orders, bank, producer):
    good, other = make_orders(2)
    batch = sent_batch(bank, [good, other], producer)
    with pytest.raises(ReportsRejected) as caught:
        batch_apply_reports(
            batch=batch,
            reports=[
                ("0", stage(good.pk, "producing")),
                ("1", stage(other.pk, "mailed", tracking_number="SF1")),  # an outlet order
                ("2", stage(999999, "producing")),
            ],
            by=BY,
        )
    assert set(caught.value.errors) == {"1", "2"}
    assert "网点领取" in caught.value.errors["1"]
    good.refresh_from_db()
    assert good.stage == Stage.DATA_SENT


def test_a_report_dated_in_the_future_is_refused(make_orders, bank, producer):
    (order,) = make_orders(1)
    batch = sent_batch(bank, [order], producer)
    later = timezone.now() + timedelta(hours=1)
    with pytest.raises(ReportsRejected, match="有误"):
        batch_apply_reports(
            batch=batch, reports=[("0", stage(order.pk, "producing", at=later))], by=BY
        )


def test_a_failed_order_goes_back_to_the_officer_and_is_resent_in_a_new_batch(
    make_orders, bank, producer
):
    failing, fine = make_orders(2)
    first = sent_batch(bank, [failing, fine], producer)
    batch_acknowledge(batch=first, by=BY)
    failure = Report(order_id=failing.pk, kind=ReportKind.FAILURE, reason="芯片个人化写入失败")
    batch_apply_reports(batch=first, reports=[("0", failure)], by=BY)
    batch_apply_reports(batch=first, reports=[("0", failure)], by=BY)  # said twice: no change
    failing.refresh_from_db()
    assert failing.stage == Stage.FAILED and failing.failure_reason == "芯片个人化写入失败"
    assert failing.events.filter(stage=Stage.FAILED).count() == 1
    # a progress report for a failed order is refused until it is resent
    with pytest.raises(ReportsRejected):
        batch_apply_reports(batch=first, reports=[("0", stage(failing.pk, "producing"))], by=BY)

    second = sent_batch(bank, [failing], producer)

    failing.refresh_from_db()
    assert failing.stage == Stage.DATA_SENT and failing.batch == second
    assert failing.failure_reason == ""
    # the old batch no longer speaks for it
    with pytest.raises(ReportsRejected, match="有误"):
        batch_apply_reports(batch=first, reports=[("0", stage(failing.pk, "producing"))], by=BY)
    batch_apply_reports(batch=second, reports=[("0", stage(failing.pk, "producing"))], by=BY)
    failing.refresh_from_db()
    assert failing.stage == Stage.PRODUCING


def test_a_batch_is_done_when_none_of_its_orders_is_still_being_made(make_orders, bank, producer):
    a, b = make_orders(2)
    batch = sent_batch(bank, [a, b], producer)
    batch_apply_reports(
        batch=batch,
        reports=[
            ("0", stage(a.pk, "outlet")),
            ("1", Report(order_id=b.pk, kind=ReportKind.FAILURE, reason="照片质量不合格")),
        ],
        by=BY,
    )
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.done_at is not None


def test_a_batch_whose_last_order_the_officer_fails_is_done_too(
    make_orders, bank, producer, django_capture_on_commit_callbacks
):
    """Not only a partner's report closes a batch: the officer's 制卡失败 on its last order
    in production does too, so the partner stops seeing it as open."""
    a, b = make_orders(2)
    batch = sent_batch(bank, [a, b], producer)
    batch_apply_reports(batch=batch, reports=[("0", stage(a.pk, "outlet"))], by=BY)
    batch.refresh_from_db()
    assert batch.status != BatchStatus.DONE  # b is still being made

    with django_capture_on_commit_callbacks(execute=True):
        order_fail(order=b, reason="芯片损坏", actor=producer)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.done_at is not None
    assert AuditRecord.objects.filter(action="production.batch_done").count() == 1


def test_the_bank_reports_the_account_behind_the_card_and_the_card_number_must_match(
    make_orders, bank, producer
):
    (order,) = make_orders(1)
    batch = sent_batch(bank, [order], producer)
    wrong = Report(
        order_id=order.pk, kind=ReportKind.SUCCESS, card_number="Z00000000", bank_account="****1234"
    )
    with pytest.raises(ReportsRejected) as caught:
        batch_apply_reports(batch=batch, reports=[("0", wrong)], by=BY)
    assert caught.value.errors["0"] == "卡号与订单不符"
    right = Report(
        order_id=order.pk,
        kind=ReportKind.SUCCESS,
        card_number=order.card.number,
        bank_account="***************1234",
    )
    batch_apply_reports(batch=batch, reports=[("0", right)], by=BY)
    order.card.refresh_from_db()
    assert order.card.masked_bank_account == "****1234"


def test_an_order_stuck_in_a_stage_longer_than_the_setting_is_flagged(
    make_orders, bank, producer, region
):
    region.production_stuck_days = 3
    region.save()
    moving, stuck = make_orders(2)
    sent_batch(bank, [moving, stuck], producer)
    later = timezone.now() + timedelta(days=4)
    with time_machine.travel(later - timedelta(days=1), tick=False):
        ProductionOrder.objects.filter(pk=moving.pk).update(updated_at=timezone.now())
    assert list(orders_stuck(now=later)) == [stuck]
    assert list(orders_stuck(now=timezone.now())) == []


def test_the_citizen_sees_each_stage_with_time_and_place_and_the_failure_in_the_history(
    make_orders, bank, producer, outlet
):
    (order,) = make_orders(1)
    application = Application.objects.get(production_order=order)
    batch = sent_batch(bank, [order], producer)
    batch_apply_reports(
        batch=batch, reports=[("0", stage(order.pk, "producing", place="制卡中心"))], by=BY
    )
    batch_apply_reports(
        batch=batch,
        reports=[("0", Report(order_id=order.pk, kind=ReportKind.FAILURE, reason="芯片写入失败"))],
        by=BY,
    )
    requester = Requester(user=application.applicant, trust=TrustLevel.L3)
    progress = query_progress(requester=requester, subject=application.subject)
    assert progress.failed_reason == "芯片写入失败"

    second = sent_batch(bank, [order], producer)
    for to, place in (("producing", "制卡中心"), ("city_bank", "工商银行揭阳分行"), ("outlet", "")):
        batch_apply_reports(batch=second, reports=[("0", stage(order.pk, to, place=place))], by=BY)

    progress = query_progress(requester=requester, subject=application.subject)
    steps = {s.label: s for s in progress.steps}
    assert all(s.reached and s.at for label, s in steps.items() if label != "已领卡")
    assert steps["网点签收"].place == outlet.name
    assert steps["市银行签收"].place == "工商银行揭阳分行"
    assert progress.ready_for_handover and progress.failed_reason == ""
    assert [h.label for h in progress.history].count("制卡失败") == 1
    assert [h.label for h in progress.history].count("数据录入") == 2


def test_a_stage_of_the_failed_attempt_is_not_shown_as_reached_after_resending(
    make_orders, bank, producer
):
    (order,) = make_orders(1)
    application = Application.objects.get(production_order=order)
    batch = sent_batch(bank, [order], producer)
    batch_apply_reports(batch=batch, reports=[("0", stage(order.pk, "producing"))], by=BY)
    batch_apply_reports(
        batch=batch,
        reports=[("0", Report(order_id=order.pk, kind=ReportKind.FAILURE, reason="开户失败"))],
        by=BY,
    )
    sent_batch(bank, [order], producer)
    requester = Requester(user=application.applicant, trust=TrustLevel.L3)
    steps = {
        s.label: s for s in query_progress(requester=requester, subject=application.subject).steps
    }
    assert steps["数据录入"].reached and not steps["制卡中"].reached


def test_a_report_dated_before_the_data_was_sent_is_refused(make_orders, bank, producer):
    (order,) = make_orders(1)
    batch = sent_batch(bank, [order], producer)
    before = order.events.get(stage=Stage.DATA_SENT).at - timedelta(hours=1)
    with pytest.raises(ReportsRejected) as caught:
        batch_apply_reports(
            batch=batch, reports=[("0", stage(order.pk, "producing", at=before))], by=BY
        )
    assert caught.value.errors == {"0": "报告时间早于本次数据录入时间"}


def test_the_dashboard_lists_the_newest_batches_first(make_orders, bank, producer):
    """The order count is an aggregate, and Django drops a model's default ordering from a
    grouped query: the list must ask for its order itself."""
    now = timezone.now()
    orders = make_orders(3)
    made = {}
    # made in this order, but dated otherwise: the list follows the dates, not the ids
    for order, days_ago in zip(orders, (2, 9, 5), strict=True):
        with time_machine.travel(now - timedelta(days=days_ago), tick=False):
            made[days_ago] = sent_batch(bank, [order], producer)

    listed = list(batches_recent())

    assert [b.pk for b in listed] == [made[2].pk, made[5].pk, made[9].pk]
    assert [b.order_count for b in listed] == [1, 1, 1]
    assert [b.pk for b in batches_recent(limit=2)] == [made[2].pk, made[5].pk]
