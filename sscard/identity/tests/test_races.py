"""Two first face logins of one person at the same instant (a double tap on “返回揭阳智慧人社”
from two tabs) end with one person, one account and one link, and no server error."""

from __future__ import annotations

import threading
import traceback
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory

from sscard.accounts.models import Person, User
from sscard.identity import services
from sscard.identity.models import ExternalIdentity
from sscard.identity.oidc import VerifiedIdentity
from sscard.identity.simulator import keys
from sscard.testing.factories import UserFactory
from sscard.testing.ids import resident_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 8
JOIN_TIMEOUT = 90


def _race(identity: VerifiedIdentity) -> tuple[list[int], list[str]]:
    barrier = threading.Barrier(N)
    lock = threading.Lock()
    users: list[int] = []
    crashes: list[str] = []

    def run() -> None:
        try:
            connection.ensure_connection()
            request = RequestFactory().get("/login/face/callback/")
            request.session = SessionStore()
            request.user = AnonymousUser()
            barrier.wait(timeout=JOIN_TIMEOUT)
            user = services.face_login(request=request, identity=identity)
            with lock:
                users.append(user.pk)
        except Exception:
            with lock:
                crashes.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return users, crashes


def _identity(name: str, number: str) -> VerifiedIdentity:
    return VerifiedIdentity(
        issuer="http://testserver/idp-sim",
        subject=keys.subject_for(number),
        name=name,
        id_number=number,
    )


def test_parallel_first_logins_of_a_new_person_make_one_account():
    users, crashes = _race(_identity("吴敏", resident_id(date(1999, 12, 1), serial=77)))
    assert crashes == [], "\n".join(crashes)
    assert len(users) == N and len(set(users)) == 1
    assert Person.objects.count() == User.objects.count() == ExternalIdentity.objects.count() == 1


def test_parallel_first_logins_of_a_password_user_link_once():
    owner = UserFactory()
    users, crashes = _race(_identity(owner.person.name, owner.person.doc_number))
    assert crashes == [], "\n".join(crashes)
    assert set(users) == {owner.pk}
    assert ExternalIdentity.objects.get().user == owner
