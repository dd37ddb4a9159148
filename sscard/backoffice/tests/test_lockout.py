"""Staff logins lock out like the portal's: per account + address, 15 minutes, the right
password refused meanwhile."""

import pytest
from django.conf import settings

from sscard.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _try(client, password, address="10.0.0.8"):
    return client.post(
        "/staff/login/",
        # the test run's captcha answer: after two failures the page asks for a captcha too
        {
            "username": "rev1",
            "password": password,
            "otp_token": "000000",
            "captcha_0": "test",
            "captcha_1": "PASSED",
        },
        REMOTE_ADDR=address,
    )


def test_repeated_failures_lock_the_staff_account_on_that_address(client):
    StaffFactory(username="rev1", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _try(client, "wrong password 123").status_code == 200
    assert _try(client, "wrong password 123").status_code == 429  # the limit is reached
    locked = _try(client, PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # another address is not locked out
    assert _try(client, "wrong password 123", address="10.0.0.9").status_code == 200
