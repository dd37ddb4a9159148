"""The signed-in user arrives with their person: a portal page reads ``user.person`` without a
query of its own; with a shared cache (Redis) neither costs a query while unchanged."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from sscard.accounts.models import User
from sscard.testing.factories import StaffFactory, UserFactory
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db

NEW_KEY = "k3:bmV3LWRhdGEta2V5LWFmdGVyLXJvdGF0aW9uLTMyYiE="


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


# --- with the shared cache production runs (Redis): the user and the person come from it -------


def _model_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _session_user(client):
    request = RequestFactory().get("/")
    request.session = client.session
    return get_user(request)


@pytest.mark.django_db(transaction=True)
def test_with_a_shared_cache_the_user_and_person_come_from_it_as_stored(
    shared_cache, client, django_assert_num_queries
):
    user = UserFactory()
    sign_in(client, user)
    _session_user(client)  # kept
    stored = User.objects.select_related("person").get(pk=user.pk)

    with django_assert_num_queries(0):
        signed_in = _session_user(client)
        person = signed_in.person
        assert _model_values(signed_in) == _model_values(stored)
        assert _model_values(person) == _model_values(stored.person)
        assert person.user is signed_in


@pytest.mark.django_db(transaction=True)
def test_a_kept_user_under_a_retired_data_key_is_read_again(shared_cache, client):
    """After ``rotate_keys`` the old key leaves SSCARD_DATA_KEYS: what the cache kept under it
    is read again from the database (and kept under the new key)."""
    user = StaffFactory()  # no person: nothing of the row itself is under the old key
    sign_in(client, user)
    _session_user(client)  # kept under the test run's first key

    with override_settings(SSCARD_DATA_KEYS=[NEW_KEY]):
        with CaptureQueriesContext(connection) as ctx:
            assert _session_user(client) == user
        assert [q for q in ctx.captured_queries if '"accounts_user"' in q["sql"]]
        with CaptureQueriesContext(connection) as ctx:
            assert _session_user(client) == user
        assert not [q for q in ctx.captured_queries if '"accounts_user"' in q["sql"]]
