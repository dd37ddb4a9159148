"""The periodic jobs of the back office, through the task API and ``run_periodic``: marking
applications at risk and overdue, and 逾期封存 of cards left uncollected — each acts once
however often it runs."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from sscard.applications import services
from sscard.applications.constants import ApplicationAction, SlaState
from sscard.applications.periodic import applications_mark_deadlines, orders_seal_uncollected
from sscard.applications.tasks import mark_deadlines_task, seal_uncollected_cards_task
from sscard.applications.tests.helpers import approve, produce_to_outlet, submit_apply
from sscard.audit.models import AuditRecord
from sscard.core.workdays import months_before
from sscard.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(y: int, m: int, d: int):
    return time_machine.travel(datetime(y, m, d, 8, tzinfo=SHANGHAI), tick=False)


def test_applications_are_marked_at_risk_then_overdue_once_each(bank, outlet, reviewer):
    with _at(2026, 11, 2):
        application = services.application_accept(
            application=submit_apply(UserFactory(), bank, outlet), actor=reviewer
        )
    assert application.due_on == date(2026, 12, 7)

    assert applications_mark_deadlines(today=date(2026, 11, 30)) == 0  # 5 working days left
    assert applications_mark_deadlines(today=date(2026, 12, 2)) == 1  # 3 left: at risk
    assert applications_mark_deadlines(today=date(2026, 12, 2)) == 0  # run twice, act once
    application.refresh_from_db()
    assert application.sla_state == SlaState.AT_RISK

    assert applications_mark_deadlines(today=date(2026, 12, 8)) == 1
    application.refresh_from_db()
    assert application.sla_state == SlaState.OVERDUE
    marks = AuditRecord.objects.filter(action="application.sla_marked")
    assert [r.detail["to"] for r in marks.order_by("id")] == ["at_risk", "overdue"]

    # returned for correction: the clock stops, and so does the warning
    services.application_return(application=application, actor=reviewer, reason="补照片")
    assert applications_mark_deadlines(today=date(2026, 12, 9)) == 0
    application.refresh_from_db()
    assert application.sla_state == SlaState.ON_TIME


def test_cards_uncollected_for_the_set_months_are_sealed_once(
    bank, outlet, reviewer, producer, region
):
    with _at(2026, 3, 16):  # signed in at the outlet on 16 March 2026
        application = produce_to_outlet(
            approve(submit_apply(UserFactory(), bank, outlet), reviewer), producer
        )
    assert orders_seal_uncollected(today=date(2027, 3, 16)) == 0  # twelve months to the day
    assert orders_seal_uncollected(today=date(2027, 3, 17)) == 1
    assert orders_seal_uncollected(today=date(2027, 3, 17)) == 0  # run twice, act once
    event = application.events.get(action=ApplicationAction.UNCOLLECTED_SEALED)
    assert event.note == "网点签收后12个月未领取，逾期封存"
    assert AuditRecord.objects.filter(action="application.uncollected_sealed").count() == 1


def test_the_sealing_period_is_a_setting(bank, outlet, reviewer, producer, region):
    region.uncollected_seal_months = 6
    region.save()
    with _at(2026, 3, 16):
        produce_to_outlet(approve(submit_apply(UserFactory(), bank, outlet), reviewer), producer)
    assert orders_seal_uncollected(today=date(2026, 9, 17)) == 1


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(date(2027, 3, 31), 1) == date(2027, 2, 28)
    assert months_before(date(2027, 1, 15), 12) == date(2026, 1, 15)


def test_the_jobs_run_as_tasks_and_are_scheduled_by_run_periodic(accepted):
    assert mark_deadlines_task.enqueue().return_value == 0
    assert seal_uncollected_cards_task.enqueue().return_value == 0
    assert "sscard.applications.tasks.mark_deadlines_task" in settings.SSCARD_PERIODIC_TASKS
    assert "sscard.applications.tasks.seal_uncollected_cards_task" in settings.SSCARD_PERIODIC_TASKS
    call_command("run_periodic", stdout=StringIO())  # the immediate backend runs each at once
