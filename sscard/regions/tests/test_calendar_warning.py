from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from sscard.regions.models import HolidayOverride
from sscard.regions.warnings import calendar_warning
from sscard.testing.factories import EmployerFactory, StaffFactory
from sscard.testing.otp import otp_login

pytestmark = pytest.mark.django_db
LATE_2026 = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@time_machine.travel(LATE_2026, tick=False)
def test_administrators_are_warned_when_deadlines_reach_a_year_without_holidays(client):
    assert "2027年的法定节假日" in calendar_warning()

    otp_login(client, StaffFactory(username="root", role="admin", is_superuser=True))
    page = client.get("/admin/applications/application/")
    assert "2027年的法定节假日和调休安排尚未收录" in page.content.decode()


@time_machine.travel(LATE_2026, tick=False)
def test_the_warning_ends_once_the_holiday_table_has_the_year():
    HolidayOverride.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")

    assert calendar_warning() == ""


@time_machine.travel(datetime(2026, 5, 1, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_no_warning_while_the_official_calendar_covers_the_deadlines():
    assert calendar_warning() == ""


def test_an_employer_with_an_invalid_credit_code_is_refused_by_the_model():
    employer = EmployerFactory.build(uscc="91350100M000100Y44")

    with pytest.raises(ValidationError, match="统一社会信用代码"):
        employer.full_clean()


def test_guardianship_links_cannot_be_added_or_changed_in_the_admin(client):
    otp_login(client, StaffFactory(username="root", role="admin", is_superuser=True))

    assert client.get("/admin/accounts/guardianship/add/").status_code == 403
