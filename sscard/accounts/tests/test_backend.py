"""The signed-in user arrives with their person: a portal page reads ``user.person`` without a
query of its own."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.test import RequestFactory

from sscard.testing.factories import UserFactory
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db


def test_the_session_user_comes_with_the_person(client, django_assert_num_queries):
    user = UserFactory()
    sign_in(client, user)
    request = RequestFactory().get("/")
    request.session = client.session
    with django_assert_num_queries(2):  # the session, the user joined to the person
        signed_in = get_user(request)
        assert signed_in.person.name == user.person.name


def test_a_deactivated_account_is_signed_out(client):
    user = UserFactory()
    sign_in(client, user)
    user.is_active = False
    user.save()
    request = RequestFactory().get("/")
    request.session = client.session
    assert get_user(request).is_anonymous
