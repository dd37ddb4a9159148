"""The staff login knows only staff: a citizen's account with its right password, a wrong
password and a name nobody has get the same answer, and each counts as a failure towards the
lockout (per account + address); after the second failure the page asks for an image captcha
as well, and nothing is tried against the password store until it is right."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sscard.accounts.models import User
from sscard.backoffice.otp import staff_totp_enrol, totp_code_now
from sscard.testing.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("backoffice:login")
CITIZEN_PASSWORD = "Citizen-password-2026"
STAFF_PASSWORD = "Staff-password-2026"
PASSED = {"captcha_0": "test", "captcha_1": "PASSED"}  # the test run's captcha answer


@pytest.fixture
def staff():
    user = StaffFactory(username="lin.reviewer", role=User.Role.REVIEWER, password=STAFF_PASSWORD)
    staff_totp_enrol(user=user, actor=None)
    return user


def _post(client: Client, username: str, password: str, address: str, **extra: str):
    data = {"username": username, "password": password, "otp_token": "123456", **extra}
    return client.post(LOGIN, data, REMOTE_ADDR=address)


def _page(response) -> str:
    """The answer with what differs on every page anyway (CSRF tokens, the captcha's key)
    and the name typed (echoed into its field) taken out."""
    text = response.content.decode()
    text = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1", text)
    text = re.sub(r"[0-9a-f]{40}", "KEY", text)  # the captcha's hashkey, in its field and image
    return re.sub(r'name="username" value="[^"]*"', 'name="username"', text)


CASES = {
    "a citizen's account and its right password": ("zhang.citizen", CITIZEN_PASSWORD),
    "a citizen's account and a wrong password": ("zhang.citizen", "Wrong-password-2026"),
    "a name nobody has": ("nobody.here", CITIZEN_PASSWORD),
}


def test_a_citizen_account_a_wrong_password_and_an_unknown_name_answer_alike_to_the_lockout():
    UserFactory(username="zhang.citizen", password=CITIZEN_PASSWORD)
    answers = {}
    for number, (case, (username, password)) in enumerate(CASES.items()):
        address = f"10.0.1.{number + 1}"
        client = Client()
        answers[case] = [
            (response.status_code, _page(response))
            for response in (
                _post(client, username, password, address, **PASSED)
                for _ in range(settings.AXES_FAILURE_LIMIT + 1)
            )
        ]
        attempt = AccessAttempt.objects.get(username=username, ip_address=address)
        assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT, case
        AccessAttempt.objects.all().delete()  # the next case starts afresh (same account)

    first = next(iter(answers.values()))
    for case, answer in answers.items():
        assert answer == first, case
    statuses = [status for status, _ in first]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429, 429]


def test_every_failure_of_a_staff_account_counts_too(staff):
    for _ in range(2):  # the right password with a wrong code
        _post(Client(), staff.username, STAFF_PASSWORD, "10.0.2.1", **PASSED)
    attempt = AccessAttempt.objects.get(username=staff.username, ip_address="10.0.2.1")
    assert attempt.failures_since_start == 2


def test_after_the_second_failure_the_page_asks_for_a_captcha_and_requires_it(staff):
    client = Client()
    here = "10.0.3.1"
    assert 'name="captcha_1"' not in client.get(LOGIN, REMOTE_ADDR=here).content.decode()
    first = _post(client, staff.username, "Wrong-password-2026", here)
    assert 'name="captcha_1"' not in first.content.decode()  # one failure: no captcha yet
    _post(client, "someone.else", "Wrong-password-2026", here)

    page = client.get(LOGIN, REMOTE_ADDR=here).content.decode()
    assert 'name="captcha_1"' in page and 'class="captcha"' in page and "验证码" in page

    # without the captcha the right password and code open nothing, and are not tried
    refused = _post(
        client,
        staff.username,
        STAFF_PASSWORD,
        here,
        otp_token=totp_code_now(staff.totpdevice_set.get()),
    )
    assert refused.status_code == 200 and "请输入验证码" in refused.content.decode()
    assert client.get(reverse("backoffice:home")).status_code == 302
    wrong = _post(client, staff.username, STAFF_PASSWORD, here, captcha_0="test", captcha_1="WRONG")
    assert "验证码错误" in wrong.content.decode()
    assert AccessAttempt.objects.get(username=staff.username).failures_since_start == 1

    signed_in = _post(
        client,
        staff.username,
        STAFF_PASSWORD,
        here,
        otp_token=totp_code_now(staff.totpdevice_set.get()),
        **PASSED,
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("backoffice:home")).status_code == 200


def test_an_account_failing_from_other_addresses_needs_the_captcha_everywhere(staff):
    for address in ("10.0.4.1", "10.0.4.2"):
        _post(Client(), staff.username, "Wrong-password-2026", address)
    refused = _post(
        Client(),
        staff.username,
        STAFF_PASSWORD,
        "10.0.4.3",
        otp_token=totp_code_now(staff.totpdevice_set.get()),
    )
    assert "请输入验证码" in refused.content.decode()
    assert 'name="captcha_1"' in refused.content.decode()
