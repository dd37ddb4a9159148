"""The back office at 320 px wide, which is a 1280 px screen zoomed to 400 %: every screen a
member of staff opens by its address (each role's, with data in its tables) neither scrolls
sideways as a whole nor cuts a control off (a wide table scrolls inside its own labelled box),
and axe-core finds nothing on it (the browser fixture checks every page). Each is photographed
as ``var/screenshots/a11y-staff-<screen>-320.png``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sscard.accounts.flags import REASON_NOT_ME
from sscard.accounts.models import User
from sscard.applications.tests.helpers import submit_apply
from sscard.testing.a11y import check_layout
from sscard.testing.browser import SMALL_PHONE, shot
from sscard.testing.factories import (
    ApplicationFactory,
    EmployerFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.otp import otp_browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Staff-password-2026"


def fit_at_320(page, user: User, screens: dict[str, str]) -> None:
    """Sign ``user`` in, then open each screen (name → address) at 320 px: no sideways scroll,
    no control cut off; photographed as ``a11y-staff-<name>-320``."""
    page.goto("/staff/login/")
    otp_browser_login(page, user, PASSWORD)
    page.set_viewport_size(SMALL_PHONE)
    for name, path in screens.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check_layout(page, f"{path} [320 px]")
        shot(page, f"a11y-staff-{name}-320")


def test_the_reviewers_screens_fit_a_screen_zoomed_to_400_percent(desktop, bank, outlet):
    reviewer = StaffFactory(role=User.Role.REVIEWER, password=PASSWORD)
    application = submit_apply(UserFactory(), bank, outlet)
    ApplicationFactory(accepted=True, bank=bank, outlet=outlet, reviewer=reviewer)
    employer = EmployerFactory(pending=True, licence=True)
    EmployerFactory(refused=True)
    UserFactory(flagged_at=timezone.now(), flag_reason=REASON_NOT_ME)
    desktop.set_viewport_size(SMALL_PHONE)
    desktop.goto("/staff/login/")
    check_layout(desktop, "/staff/login/ [320 px]")
    shot(desktop, "a11y-staff-login-320")
    fit_at_320(
        desktop,
        reviewer,
        {
            "home": "/staff/",
            "queue": "/staff/queue/",
            "application": f"/staff/applications/{application.pk}/",
            "employers": "/staff/employers/",
            "employer": f"/staff/employers/{employer.pk}/",
            "flagged": "/staff/flagged/",
            "dashboard": "/staff/dashboard/",
            "counter": "/staff/counter/",
        },
    )
    # the counter with a person identified: the seven items, then one item's form
    desktop.get_by_label("证件号码").fill(application.subject.doc_number)
    desktop.get_by_role("button", name="查找").click()
    check_layout(desktop, "/staff/counter/ with a person [320 px]")
    shot(desktop, "a11y-staff-counter-person-320")
    for item in ("apply", "status", "change"):
        desktop.goto(f"/staff/counter/{item}/")
        check_layout(desktop, f"/staff/counter/{item}/ [320 px]")
        shot(desktop, f"a11y-staff-counter-{item}-320")


def test_the_production_officers_screens_fit_at_320_px(desktop, make_orders, bank):
    from sscard.production.services import batch_create, batch_send, order_fail

    producer = StaffFactory(role=User.Role.PRODUCER, password=PASSWORD)
    failed, *_ = make_orders(3)
    batch = batch_create(bank=bank, order_ids=[failed.pk], actor=producer)
    batch_send(batch=batch, actor=producer)
    order_fail(order=failed, reason="照片质量不合格，制卡厂退回", actor=producer)
    fit_at_320(
        desktop,
        producer,
        {
            "production": "/staff/production/",
            "production-batch-new": f"/staff/production/batches/new/?bank={bank.code}",
            "production-batch": f"/staff/production/batches/{batch.pk}/",
            "production-dashboard": "/staff/dashboard/",
        },
    )


def test_the_outlet_clerks_screens_fit_at_320_px(desktop, at_outlet, outlet):
    from sscard.appointments.constants import Purpose
    from sscard.appointments.selectors import bookable_days, day_slots
    from sscard.appointments.services import appointment_book, outlet_hours_set

    clerk = StaffFactory(role=User.Role.CLERK, outlet=outlet, password=PASSWORD)
    outlet_hours_set(outlet=outlet, actor=None)
    day, starts = next(
        (day, slot.starts)
        for day in bookable_days(outlet)
        for slot in day_slots(outlet, day)
        if not slot.past
    )
    booking = appointment_book(
        user=at_outlet.applicant,
        purpose=Purpose.COLLECT,
        order=at_outlet.production_order,
        day=day,
        starts=starts,
    )
    fit_at_320(
        desktop,
        clerk,
        {
            "outlet": "/staff/outlet/",
            "appointments": f"/staff/outlet/appointments/?day={booking.day.isoformat()}",
            "handover": f"/staff/outlet/orders/{at_outlet.production_order.pk}/handover/",
            "verify": "/staff/verify/",
        },
    )


def test_the_administrators_screens_fit_at_320_px(
    desktop, citizen, reissue_owed, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult, get_date_max

    from sscard.notifications import services as notices
    from sscard.notifications.constants import Channel, Event, MessageStatus
    from sscard.notifications.models import Message
    from sscard.payments.models import SimulatedOrder
    from sscard.payments.services import payment_start
    from sscard.testing.payments import RETURN_URL, pay_at_gateway

    admin = StaffFactory(role=User.Role.ADMIN, password=PASSWORD)
    order = payment_start(
        user=reissue_owed.applicant, application=reissue_owed, return_url=RETURN_URL
    )
    pay_at_gateway(order, django_capture_on_commit_callbacks)
    SimulatedOrder.objects.filter(out_trade_no=order.out_trade_no).update(amount_fen=1999)
    with pytest.raises(Exception, match="1 处差异"):
        call_command("reconcile_payments", "--date", timezone.localdate().isoformat())
    notices.notify(Event.APPLICATION_ACCEPTED, person=citizen.person)
    message = Message.objects.filter(channel=Channel.SMS).first()
    assert message is not None
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=5, last_error="网关超时（5秒无响应）"
    )
    DBTaskResult.objects.create(
        status="FAILED",
        task_path="sscard.notifications.tasks.deliver_messages_task",
        args_kwargs={"args": [[1]], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        finished_at=timezone.now() - timedelta(minutes=5),
        worker_ids=["w1"],
        exception_class_path="httpx.ConnectTimeout",
        traceback="Traceback (most recent call last):\nhttpx.ConnectTimeout: timed out\n",
    )
    fit_at_320(
        desktop,
        admin,
        {
            "admin-home": "/staff/",
            "audit": "/staff/audit/",
            "messages": "/staff/notifications/",
            "message": f"/staff/notifications/{message.pk}/",
            "failed-tasks": "/staff/tasks/failed/",
            "payments": "/staff/payments/",
        },
    )


def test_the_administrator_runs_a_failed_task_again_from_an_accessible_page(desktop):
    from django_tasks_db.models import DBTaskResult, get_date_max

    admin = StaffFactory(role=User.Role.ADMIN, password=PASSWORD)
    failed = DBTaskResult.objects.create(
        status="FAILED",
        task_path="sscard.notifications.tasks.deliver_messages_task",
        args_kwargs={"args": [[1]], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        finished_at=timezone.now(),
        worker_ids=["w1"],
        exception_class_path="httpx.ConnectTimeout",
        traceback="Traceback (most recent call last):\nhttpx.ConnectTimeout: timed out\n",
    )
    desktop.goto("/staff/login/")
    otp_browser_login(desktop, admin, PASSWORD)
    desktop.goto("/staff/tasks/failed/")
    assert desktop.get_by_role("heading", name="失败任务").is_visible()
    assert desktop.get_by_text("ConnectTimeout", exact=True).is_visible()
    shot(desktop, "a11y-staff-failed-tasks")

    desktop.get_by_role("button", name="重新执行").click()
    assert desktop.get_by_role("heading", name="确认重新执行").is_visible()
    desktop.get_by_role("button", name="确认重新执行").click()

    assert desktop.get_by_text("已重新加入队列：deliver_messages_task").is_visible()
    assert desktop.get_by_text("没有失败的任务").is_visible()
    failed.refresh_from_db()
    assert failed.status == "READY"
