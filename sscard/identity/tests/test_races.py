"""Two first face logins of one person at the same instant (a double tap on “返回揭阳智慧人社”
from two tabs) end with one person, one account and one link, and no server error."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from sscard.accounts.models import Person, User
from sscard.identity import services
from sscard.identity.models import ExternalIdentity
from sscard.identity.oidc import VerifiedIdentity
from sscard.identity.simulator import keys
from sscard.testing.factories import UserFactory
from sscard.testing.ids import resident_id
from sscard.testing.races import results, run_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 8


def _race(identity: VerifiedIdentity) -> list[int]:
    """``N`` browsers coming back from the provider with ``identity`` at the same instant:
    the users they are signed in as (a crash fails the test)."""

    def browser():
        request = RequestFactory().get("/login/face/callback/")
        request.session = SessionStore()
        request.user = AnonymousUser()
        return lambda: services.face_login(request=request, identity=identity).pk

    return results(run_at_once(*[browser() for _ in range(N)]))


def _identity(name: str, number: str) -> VerifiedIdentity:
    return VerifiedIdentity(
        issuer="http://testserver/idp-sim",
        subject=keys.subject_for(number),
        name=name,
        id_number=number,
    )


def test_parallel_first_logins_of_a_new_person_make_one_account():
    users = _race(_identity("吴敏", resident_id(date(1999, 12, 1), serial=77)))
    assert len(users) == N and len(set(users)) == 1
    assert Person.objects.count() == User.objects.count() == ExternalIdentity.objects.count() == 1


def test_parallel_first_logins_of_a_password_user_link_once():
    owner = UserFactory()
    users = _race(_identity(owner.person.name, owner.person.doc_number))
    assert set(users) == {owner.pk}
    assert ExternalIdentity.objects.get().user == owner
