"""With the shared cache production runs (``CACHE_URL=redis://…``) the session and the signed-in
user with their person come from Redis, not the database — and still a logout, the idle and
the absolute limits, a password change and a deactivation end a session everywhere at once,
and a change to the person shows on the very next page.

"Another process" is a second test client sending the same session cookie: it shares nothing
with the first but the database and Redis. The tests commit, as production does (a
transactional database): a change is heard by the cache when its transaction commits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_redis import get_redis_connection

from sscard.accounts.hygiene import staff_deactivate_stale
from sscard.accounts.models import User
from sscard.accounts.services import person_change_contact
from sscard.portal.tests.helpers import PASSWORD
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.sessions import sign_in, staff_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shared_cache")]

IDLE_NOTICE = "您已超过30分钟未操作，为保障账户安全已自动退出，请重新登录。"
EXPIRED_NOTICE = "本次登录已超过8小时，为保障账户安全已自动退出，请重新登录。"


@pytest.fixture
def citizen() -> User:
    return UserFactory(person__name="张三丰", person__phone="13812345678")


def _elsewhere(client: Client) -> Client:
    """The same browser's cookie arriving at another worker process."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def _signed_in(client: Client, url: str = "/my/") -> bool:
    answer = client.get(url)
    if answer.status_code == 302:
        assert answer["Location"].startswith(("/login/", "/staff/login/"))
        return False
    assert answer.status_code == 200
    return True


def test_a_logout_in_one_process_ends_the_session_in_every_other(citizen):
    here = sign_in(Client(), citizen)
    there = _elsewhere(here)
    assert _signed_in(here) and _signed_in(there)  # both served from Redis now

    assert here.post("/logout/").status_code == 302

    assert not _signed_in(there)
    assert not _signed_in(_elsewhere(here))


def test_the_idle_limit_ends_the_session_in_every_process(citizen):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        here = sign_in(Client(), citizen)
        there = _elsewhere(here)
        assert _signed_in(here) and _signed_in(there)
    with time_machine.travel(start + timedelta(minutes=30, seconds=30), tick=False):
        assert not _signed_in(there)
        assert IDLE_NOTICE in there.get("/me/").content.decode()
        assert not _signed_in(here)


def test_a_session_used_in_turn_by_two_processes_still_ends_after_eight_hours(citizen):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        here = sign_in(Client(), citizen)
        there = _elsewhere(here)
    minutes = 20
    while minutes <= 8 * 60:  # never idle: one request every 20 minutes, each process in turn
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert _signed_in(here if minutes % 40 else there), minutes
        minutes += 20
    with time_machine.travel(start + timedelta(hours=8, minutes=1), tick=False):
        assert not _signed_in(here)
        assert EXPIRED_NOTICE in here.get("/me/").content.decode()
        assert not _signed_in(there)


def test_a_password_change_ends_the_other_sessions_at_their_next_request(citizen):
    here = sign_in(Client(), citizen)
    phone = sign_in(Client(), citizen)  # the same account on another device
    assert _signed_in(here) and _signed_in(phone) and _signed_in(_elsewhere(phone))

    new = "Lantern-river-2026"
    changed = here.post(
        "/me/password/", {"old_password": PASSWORD, "password1": new, "password2": new}
    )
    assert changed.status_code == 302

    assert not _signed_in(phone)
    assert _signed_in(here) and _signed_in(_elsewhere(here))


def test_a_deactivated_account_is_signed_out_at_its_next_request(citizen):
    browsers = [sign_in(Client(), citizen) for _ in range(2)]
    assert all(_signed_in(b) for b in browsers)

    citizen.is_active = False
    citizen.save(update_fields=["is_active"])

    assert not any(_signed_in(b) for b in browsers)


def test_a_staff_account_deactivated_by_the_periodic_job_is_signed_out_at_once():
    staff = staff_client(StaffFactory(username="reviewer", role=User.Role.REVIEWER))
    assert _signed_in(staff, "/staff/")

    assert staff_deactivate_stale(now=timezone.now() + timedelta(days=91)) == 1

    assert not _signed_in(staff, "/staff/")


def test_a_change_to_the_person_shows_on_the_next_page(citizen):
    client = sign_in(Client(), citizen)
    center = client.get("/me/").content.decode()
    assert "张**" in center and "138****5678" in center

    person_change_contact(person=citizen.person, changes={"phone": "13987654321"}, actor=citizen)
    assert "139****4321" in _elsewhere(client).get("/me/").content.decode()

    person = citizen.person
    person.name = "李四"  # corrected at the counter
    person.save(update_fields=["name"])
    assert "李*" in client.get("/me/").content.decode()


def test_the_cache_keeps_the_signed_in_person_encrypted(citizen, shared_cache):
    """The account and its person are kept in Redis only as ciphertext: no name, ID number,
    phone, address or password hash in the clear, in any of the cache's values."""
    client = sign_in(Client(), citizen)
    assert _signed_in(client, "/me/")
    redis = get_redis_connection("default")
    keys = list(redis.scan_iter(f"{shared_cache}:*"))
    # the user is kept there (sscard.core.cached's key of a value of the user's family)
    assert any(f":sscard:ref:accounts.user.{citizen.pk}:value:".encode() in key for key in keys)

    stored = b"".join(redis.get(key) or b"" for key in keys)
    person = citizen.person
    for secret in (person.name, person.doc_number, person.phone, person.address):
        assert secret.encode() not in stored
        assert secret.encode("unicode_escape") not in stored
    assert citizen.password.encode() not in stored
