"""The back office at 320 px wide, which is a 1280 px screen zoomed to 400 %: no page scrolls
sideways as a whole nor cuts a control off (a wide table scrolls inside its own box), and
axe-core finds nothing (the browser fixture checks every page)."""

from __future__ import annotations

import pytest

from sscard.accounts.models import User
from sscard.applications.tests.helpers import submit_apply
from sscard.testing.a11y import check_layout
from sscard.testing.browser import SMALL_PHONE, shot
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.otp import otp_browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Staff-password-2026"


def test_the_staff_pages_fit_a_screen_zoomed_to_400_percent(desktop, bank, outlet):
    reviewer = StaffFactory(role=User.Role.REVIEWER, password=PASSWORD)
    application = submit_apply(UserFactory(), bank, outlet)
    desktop.goto("/staff/login/")
    otp_browser_login(desktop, reviewer, PASSWORD)
    desktop.set_viewport_size(SMALL_PHONE)
    for path in ("/staff/", "/staff/queue/", f"/staff/applications/{application.pk}/"):
        desktop.goto(path)
        check_layout(desktop, f"{path} [320 px]")
        shot(
            desktop,
            "a11y-staff-"
            + (path.strip("/").split("/")[1] if path.count("/") > 2 else "home")
            + "-320",
        )


def test_the_administrator_runs_a_failed_task_again_from_an_accessible_page(desktop):
    from django.utils import timezone
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
