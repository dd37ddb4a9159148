"""统计看板 and 审计日志."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from sscard.applications import services
from sscard.applications.constants import ItemCode, RejectReason
from sscard.applications.stats import Period, dashboard
from sscard.applications.tests.helpers import (
    approve,
    holder_document,
    produce_to_outlet,
    submit_apply,
)
from sscard.audit.models import AuditRecord
from sscard.production.constants import Stage
from sscard.testing.factories import OutletFactory, UserFactory
from sscard.testing.sessions import staff_client

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def story(bank, outlet, reviewer, producer, clerk):
    """In November 2026: three 申领 in 榕城区 on the 2nd, one in 普宁市 on the 3rd; one
    collected on time, one not accepted (duplicate), one waiting at the outlet."""
    puning = OutletFactory(code="PN01", name="普宁市网点", district="普宁市", bank=bank)
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), tick=False):
        done = produce_to_outlet(
            approve(submit_apply(UserFactory(), bank, outlet), reviewer), producer
        )
        waiting = produce_to_outlet(
            approve(submit_apply(UserFactory(), bank, outlet), reviewer), producer
        )
        rejected = submit_apply(UserFactory(), bank, outlet)
        services.application_reject(
            application=rejected, actor=reviewer, reason="重复", reason_code=RejectReason.DUPLICATE
        )
    with time_machine.travel(datetime(2026, 11, 3, 9, tzinfo=SHANGHAI), tick=False):
        submit_apply(UserFactory(), bank, puning)
    with time_machine.travel(datetime(2026, 11, 20, 9, tzinfo=SHANGHAI), tick=False):
        services.application_handover(
            order=done.production_order, actor=clerk, **holder_document(done.production_order)
        )
    return {"done": done, "waiting": waiting, "rejected": rejected}


def test_the_dashboard_counts_per_day_sla_backlog_and_reasons(story):
    period = Period(start=date(2026, 11, 1), end=date(2026, 11, 30))
    board = dashboard(period, today=date(2026, 11, 30))
    assert board.per_day[date(2026, 11, 2)][ItemCode.APPLY] == 3
    assert board.per_day[date(2026, 11, 3)][ItemCode.APPLY] == 1
    assert board.sla.on_time == 1 and board.sla.late == 0
    assert board.sla.open_on_track + board.sla.at_risk == 1  # the card waiting at the outlet
    assert board.stages[Stage.OUTLET] == 1
    outlets = {name: (waiting, pending) for name, waiting, pending in board.outlets}
    assert outlets == {"榕城区社保卡服务中心": (1, 0), "普宁市网点": (0, 1)}
    assert board.rejections == {RejectReason.DUPLICATE: 1}

    puning = dashboard(
        Period(date(2026, 11, 1), date(2026, 11, 30), "普宁市"), today=date(2026, 11, 30)
    )
    assert sum(sum(c.values()) for c in puning.per_day.values()) == 1
    assert puning.rejections == {} and puning.stages == {}


def test_the_dashboard_page_draws_svg_charts_without_inline_style(story, producer):
    response = staff_client(producer).get(
        reverse("backoffice:dashboard"),
        {"start": "2026-11-01", "end": "2026-11-30", "district": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") >= 5 and "<rect" in html
    assert "style=" not in html
    assert "重复申请" in html and "按时办结率" in html


def test_an_overlong_period_is_cut_to_a_year(producer):
    html = (
        staff_client(producer)
        .get(reverse("backoffice:dashboard"), {"start": "2020-01-01", "end": "2026-11-30"})
        .content.decode()
    )
    assert "统计区间最长366天" in html


def test_the_audit_viewer_filters_by_receipt_number_actor_and_result(story, admin_user, reviewer):
    client = staff_client(admin_user)
    url = reverse("backoffice:audit")
    rejected = story["rejected"]
    html = client.get(url, {"target": rejected.receipt_number}).content.decode()
    assert "application.reject" in html and "application.apply" in html
    assert "production." not in html
    by_actor = client.get(url, {"actor": reviewer.username, "action": "application.reject"})
    assert by_actor.context["page"].paginator.count == 1
    assert client.get(url, {"result": "refused"}).context["page"].paginator.count == 0
    day = client.get(url, {"start": "2026-11-03", "end": "2026-11-03"}).context["page"]
    assert {r.at.astimezone(SHANGHAI).date() for r in day} == {date(2026, 11, 3)}


def test_the_audit_viewer_is_read_only(admin_user):
    client = staff_client(admin_user)
    before = AuditRecord.objects.count()
    assert client.post(reverse("backoffice:audit"), {"action": "x"}).status_code == 405
    assert AuditRecord.objects.count() == before


def test_an_application_accepted_before_the_period_and_overdue_now_counts_as_overdue(
    story, bank, outlet, reviewer, producer
):
    """Overdue means open today and past its legal date, whenever it was accepted: the panel
    agrees with the workbench's 已超期 count."""
    with time_machine.travel(datetime(2026, 9, 1, 9, tzinfo=SHANGHAI), tick=False):
        late = services.application_accept(
            application=submit_apply(UserFactory(), bank, outlet), actor=reviewer
        )
    assert late.due_on is not None and late.due_on < date(2026, 11, 1)
    period = Period(start=date(2026, 11, 1), end=date(2026, 11, 30))

    board = dashboard(period, today=date(2026, 11, 30))

    assert board.sla.overdue == 1
    assert board.sla.on_time == 1 and board.sla.late == 0  # the one 办结 in November
    with time_machine.travel(datetime(2026, 11, 30, 9, tzinfo=SHANGHAI), tick=False):
        client = staff_client(reviewer)
        workbench = client.get(reverse("backoffice:home")).context["counts"]
        page = client.get(
            reverse("backoffice:dashboard"), {"start": "2026-11-01", "end": "2026-11-30"}
        )
    assert workbench["overdue"] == 1
    assert ("当前已超期未办结", 1) in page.context["sla_rows"]


def test_an_application_finished_in_the_period_counts_whenever_it_was_accepted(
    bank, outlet, reviewer, producer, clerk
):
    with time_machine.travel(datetime(2026, 10, 20, 9, tzinfo=SHANGHAI), tick=False):
        application = produce_to_outlet(
            approve(submit_apply(UserFactory(), bank, outlet), reviewer), producer
        )
    with time_machine.travel(datetime(2026, 11, 5, 9, tzinfo=SHANGHAI), tick=False):
        services.application_handover(
            order=application.production_order,
            actor=clerk,
            **holder_document(application.production_order),
        )

    november = dashboard(Period(date(2026, 11, 1), date(2026, 11, 30)), today=date(2026, 11, 30))
    october = dashboard(Period(date(2026, 10, 1), date(2026, 10, 31)), today=date(2026, 11, 30))

    assert (november.sla.on_time, november.sla.finished) == (1, 1)
    assert october.sla.finished == 0
