"""Expired sessions leave the session table: the periodic job deletes every session past its
expiry and nothing else, so the table holds the sessions that may still be used, not every
login ever made."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from sscard.accounts.tasks import clear_expired_sessions_task
from sscard.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_expired_sessions_are_deleted_and_live_ones_kept():
    store = import_module(settings.SESSION_ENGINE).SessionStore
    live, old = store(), store()
    live["x"], old["x"] = 1, 2
    live.save()
    old.save()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    client = Client()
    client.force_login(UserFactory())  # a signed-in citizen's session, still valid

    clear_expired_sessions_task.enqueue()  # as run_periodic enqueues it

    left = set(Session.objects.values_list("session_key", flat=True))
    assert old.session_key not in left
    assert {live.session_key, client.session.session_key} <= left


def test_the_job_is_scheduled():
    assert "sscard.accounts.tasks.clear_expired_sessions_task" in settings.SSCARD_PERIODIC_TASKS
