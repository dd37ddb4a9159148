"""Two counters scanning the same code at the same instant: once per verifier holds under
parallel connections (the unique constraint decides, not a read before the write)."""

from __future__ import annotations

import pytest

from sscard.ecard.services import Outcome, ecard_show, ecard_verify
from sscard.testing.factories import CardFactory, UserFactory
from sscard.testing.factories.people import requester_for
from sscard.testing.races import assert_no_crashes, run_at_once

pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def test_one_code_sent_by_one_verifier_many_times_at_once_is_valid_once():
    user = UserFactory()
    card = CardFactory(person=user.person)
    token = ecard_show(requester=requester_for(user), card=card).token

    def verify():
        return ecard_verify(token=token, verifier="partner:7", actor=None).outcome

    outcomes = run_at_once(*[verify] * 8)
    assert_no_crashes(outcomes)
    answers = sorted(str(o.result) for o in outcomes)
    assert answers.count(Outcome.VALID) == 1
    assert answers.count(Outcome.REPLAYED) == 7
