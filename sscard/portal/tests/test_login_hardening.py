"""The password login as production runs it: the image captcha is read once and only once
(never in test mode outside the test run), passwords are kept as Argon2id hashes of the whole
passphrase (old hashes are upgraded at the next login), the rules are length and the common
list, not composition; and a session ends for good — at logout, and everywhere else when the
password changes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from sscard.accounts.models import User
from sscard.portal.tests.helpers import PASSWORD, Page
from sscard.testing.deployment import PRODUCTION_ENV, ROOT, deployment_settings
from sscard.testing.factories import UserFactory
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

CAPTCHA_WRONG = "验证码错误，请重新输入"
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture
def real_captcha(monkeypatch):
    """The captcha as production checks it: the answer "PASSED" is worth nothing."""
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)


def _challenge(client: Client) -> tuple[str, str]:
    """The login page's captcha: its key, and the characters a person reads in the image."""
    page = Page(client.get("/login/").content.decode())
    key = next(i.attrs["value"] for i in page.find("input") if i.attrs["name"] == "captcha_0")
    return key, CaptchaStore.objects.get(hashkey=key).response


def _login(client: Client, key: str, answer: str, password: str = PASSWORD, user="zhangsan"):
    return client.post(
        "/login/",
        {"username": user, "password": password, "captcha_0": key, "captcha_1": answer},
    )


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_captcha_read_correctly_logs_in_once_and_is_worth_nothing_the_second_time(real_captcha):
    UserFactory(username="zhangsan")
    client = Client()
    key, answer = _challenge(client)
    assert _login(client, key, answer).status_code == 200
    assert _logged_in(client)

    replay = Client()  # the same solved captcha sent again (a script keeping it)
    refused = _login(replay, key, answer)
    assert refused.status_code == 400
    assert CAPTCHA_WRONG in refused.content.decode()
    assert not _logged_in(replay)


def test_a_wrong_answer_spends_the_captcha(real_captcha):
    UserFactory(username="zhangsan")
    client = Client()
    key, answer = _challenge(client)
    assert _login(client, key, "zzzz" if answer != "zzzz" else "yyyy").status_code == 400
    refused = _login(client, key, answer)  # the right answer, guessed on the second try
    assert refused.status_code == 400 and CAPTCHA_WRONG in refused.content.decode()
    assert not _logged_in(client)


def test_a_captcha_older_than_five_minutes_is_refused(real_captcha):
    UserFactory(username="zhangsan")
    client = Client()
    key, answer = _challenge(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=5)):
        refused = _login(client, key, answer)
    assert refused.status_code == 400 and CAPTCHA_WRONG in refused.content.decode()
    assert not _logged_in(client)


def test_the_test_runs_passed_answer_is_refused_outside_test_mode(real_captcha):
    UserFactory(username="zhangsan")
    client = Client()
    key, _answer = _challenge(client)
    assert _login(client, key, "PASSED").status_code == 400
    assert not _logged_in(client)


def _captcha_test_mode(env: dict[str, str]) -> str:
    """What django-simple-captcha itself reads under ``env`` (its default when unset)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SSCARD", "DJANGO_"))}
    probe = (
        "import django; django.setup(); from captcha.conf import settings as c; "
        "print(c.CAPTCHA_TEST_MODE)"
    )
    result = subprocess.run(  # noqa: S603 — our own interpreter and a fixed probe
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SSCARD_ENV_FILE": "/nonexistent",
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_production_and_the_demo_never_run_the_captcha_in_test_mode():
    assert _captcha_test_mode(PRODUCTION_ENV) == "False"
    assert _captcha_test_mode({"SSCARD_ENV": "dev", "DEBUG": "true"}) == "False"
    assert deployment_settings(PRODUCTION_ENV, "DEBUG") == {"DEBUG": False}


# ---------------------------------------------------------------------------------------------
# Passwords: rules and storage


@pytest.mark.parametrize(
    "password", ["password1234", "qwertyuiop", "iloveyou", "1q2w3e4r5t", "sunshine"]
)
def test_passwords_on_the_common_list_are_refused(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, UserFactory.build(username="lisi"))
    assert any("常见" in m for m in refused.value.messages), refused.value.messages


def test_no_composition_rule_a_long_lowercase_password_is_accepted():
    validate_password("lanternriverstone", UserFactory.build(username="lisi"))


LONG_PASSPHRASE = (
    "春眠不觉晓 处处闻啼鸟 夜来风雨声 花落知多少 the river runs past the old mill in 2026 !"
)


def test_a_long_passphrase_counts_to_its_last_character(real_captcha):
    """No truncation: all of a 64-character passphrase with spaces and Chinese is checked."""
    assert len(LONG_PASSPHRASE) >= 64
    UserFactory(username="zhangsan")
    client = sign_in(Client(), User.objects.get(username="zhangsan"))
    changed = client.post(
        "/me/password/",
        {"old_password": PASSWORD, "password1": LONG_PASSPHRASE, "password2": LONG_PASSPHRASE},
    )
    assert changed.status_code == 302
    client.post("/logout/")

    almost = Client()
    key, answer = _challenge(almost)
    assert _login(almost, key, answer, LONG_PASSPHRASE[:-1]).status_code == 400
    assert not _logged_in(almost)
    whole = Client()
    key, answer = _challenge(whole)
    assert _login(whole, key, answer, LONG_PASSPHRASE).status_code == 200
    assert _logged_in(whole)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_password_is_stored_as_an_argon2id_hash():
    citizen = UserFactory()
    client = sign_in(Client(), citizen)
    new = "Lantern-river-2026"
    changed = client.post(
        "/me/password/", {"old_password": PASSWORD, "password1": new, "password2": new}
    )
    assert changed.status_code == 302
    citizen.refresh_from_db()
    assert citizen.password.startswith("argon2$argon2id$")
    assert new not in citizen.password


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_an_old_pbkdf2_hash_is_upgraded_to_argon2id_at_the_next_login(real_captcha):
    user = UserFactory(username="zhangsan")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    client = Client()
    key, answer = _challenge(client)
    assert _login(client, key, answer).status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


# ---------------------------------------------------------------------------------------------
# Sessions that end stay ended


def test_a_logged_out_session_cookie_sent_again_is_anonymous(citizen):
    client = sign_in(Client(), citizen)
    assert client.get("/my/").status_code == 200
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/logout/")

    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stolen
    answer = thief.get("/my/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(citizen):
    here = sign_in(Client(), citizen)
    phone = sign_in(Client(), citizen)  # the same account on another device
    kiosk = sign_in(Client(), citizen)
    new = "Lantern-river-2026"
    changed = here.post(
        "/me/password/", {"old_password": PASSWORD, "password1": new, "password2": new}
    )
    assert changed.status_code == 302

    assert here.get("/my/").status_code == 200
    for other in (phone, kiosk):
        answer = other.get("/my/")
        assert answer.status_code == 302 and answer["Location"].startswith("/login/")


def test_a_disabled_account_is_signed_out_of_every_browser(citizen):
    browsers = [sign_in(Client(), citizen) for _ in range(2)]
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    for browser in browsers:
        answer = browser.get("/my/")
        assert answer.status_code == 302 and answer["Location"].startswith("/login/")
