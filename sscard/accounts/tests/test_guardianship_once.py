"""Whether a guardianship is in force is asked once a request, whoever asks — and a
guardianship made, confirmed or ended in the request is read again at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sscard.accounts.services import Relation, guardianship_active, person_relation
from sscard.core import memo
from sscard.core.errors import NotFound
from sscard.testing.factories import GuardianshipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_request():
    memo.begin()  # what request_started does
    yield
    memo.end()


def test_a_guardians_relation_to_a_ward_is_asked_once_a_request(in_request, region):
    guardian = UserFactory()
    link = GuardianshipFactory(guardian=guardian.person)
    today = timezone.localdate()

    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            relation = person_relation(user=guardian, person=link.ward, today=today, region=region)

    assert relation == Relation.GUARDIAN
    assert len(queries.captured_queries) == 1


def test_a_guardianship_ended_in_the_request_is_no_longer_believed(in_request, region):
    guardian = UserFactory()
    link = GuardianshipFactory(guardian=guardian.person)
    today = timezone.localdate()
    assert person_relation(user=guardian, person=link.ward, today=today, region=region)

    link.active = False
    link.save(update_fields=["active"])

    assert guardianship_active(guardian.person_id, link.ward_id) is False
    with pytest.raises(NotFound):
        person_relation(user=guardian, person=link.ward, today=today, region=region)
