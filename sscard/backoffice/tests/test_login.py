"""Staff sign in with a password of at least 12 characters and a TOTP code (等保 8.1.4.1 d,
SECURITY A-4): one generic message for every failure, a code used once only, throttled
guessing, and no session for a password alone."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from sscard.accounts.models import User
from sscard.audit.models import AuditRecord
from sscard.backoffice.otp import staff_totp_enrol, totp_code_now
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.web.forms import LOGIN_FAILED

pytestmark = pytest.mark.django_db

PASSWORD = "Staff-password-2026"
LOGIN = reverse("backoffice:login")


@pytest.fixture
def staff():
    user = StaffFactory(username="lin.reviewer", role=User.Role.REVIEWER, password=PASSWORD)
    staff_totp_enrol(user=user, actor=None)
    return user


def _login(client: Client, username: str, password: str, token: str):
    """With the test run's captcha answer: after two failures the page asks for it too
    (``test_login_oracle``)."""
    data = {"username": username, "password": password, "otp_token": token}
    return client.post(LOGIN, {**data, "captcha_0": "test", "captcha_1": "PASSED"})


def _code(user: User) -> str:
    return totp_code_now(user.totpdevice_set.get())


def test_password_and_a_current_code_open_the_back_office(staff):
    client = Client()
    response = _login(client, staff.username, PASSWORD, _code(staff))
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:home")
    assert client.get(reverse("backoffice:queue")).status_code == 200
    assert AuditRecord.objects.filter(action="staff.login", actor_id=staff.pk, result="ok").exists()


@pytest.mark.parametrize(
    ("password", "token"),
    [("Wrong-password-2026", "code"), (PASSWORD, "000000"), (PASSWORD, "")],
    ids=["wrong password", "wrong code", "no code"],
)
def test_every_failure_gets_the_same_message_and_no_session(staff, password, token):
    client = Client()
    response = _login(client, staff.username, password, _code(staff) if token == "code" else token)
    assert response.status_code == 200
    assert LOGIN_FAILED in response.content.decode()
    assert client.get(reverse("backoffice:home")).status_code == 302


def test_a_code_cannot_be_used_twice(staff):
    code = _code(staff)
    assert _login(Client(), staff.username, PASSWORD, code).status_code == 302
    second = _login(Client(), staff.username, PASSWORD, code)
    assert second.status_code == 200
    assert LOGIN_FAILED in second.content.decode()


def test_wrong_codes_are_throttled_with_a_growing_delay(staff):
    with time_machine.travel("2026-11-30 09:00:00 +0800", tick=False) as clock:
        _login(Client(), staff.username, PASSWORD, "000000")
        # within the back-off even the right code is refused
        refused = _login(Client(), staff.username, PASSWORD, _code(staff))
        assert LOGIN_FAILED in refused.content.decode()
        clock.shift(2)
        assert _login(Client(), staff.username, PASSWORD, _code(staff)).status_code == 302
    assert AuditRecord.objects.filter(action="staff.login", result="refused").count() == 2


def test_a_staff_account_with_a_short_legacy_password_is_refused(db):
    user = StaffFactory(username="old.clerk", role=User.Role.CLERK, password="short-pass1")
    staff_totp_enrol(user=user, actor=None)
    response = _login(Client(), user.username, "short-pass1", _code(user))
    assert LOGIN_FAILED in response.content.decode()


def test_a_citizen_cannot_sign_in_to_the_back_office(db):
    citizen = UserFactory(password=PASSWORD)
    response = _login(Client(), citizen.username, PASSWORD, "123456")
    assert LOGIN_FAILED in response.content.decode()


def test_staff_passwords_need_twelve_characters_citizens_eight():
    staff = User(username="x", role=User.Role.CLERK)
    with pytest.raises(ValidationError, match="12"):
        validate_password("Kx9-pqrz-7a", staff)  # 11 characters
    validate_password("Kx9-pqrz-7ab", staff)
    validate_password("Kx9-pqrz", User(username="y", role=User.Role.CITIZEN))


def test_logging_out_ends_the_session(staff):
    client = Client()
    _login(client, staff.username, PASSWORD, _code(staff))
    client.post(reverse("backoffice:logout"))
    assert client.get(reverse("backoffice:home")).status_code == 302


def test_the_django_admin_needs_the_second_factor_too(db):
    root = StaffFactory(username="root", role=User.Role.ADMIN, is_superuser=True, password=PASSWORD)
    staff_totp_enrol(user=root, actor=None)
    password_only = Client()
    password_only.force_login(root)
    response = password_only.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == f"{LOGIN}?next=/admin/"
    assert Client().get("/admin/login/?next=/admin/regions/")["Location"] == (
        f"{LOGIN}?next=/admin/regions/"
    )

    client = Client()
    signed = client.post(
        f"{LOGIN}?next=/admin/",
        {"username": "root", "password": PASSWORD, "otp_token": _code(root), "next": "/admin/"},
    )
    assert signed["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
