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
