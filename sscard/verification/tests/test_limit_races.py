"""The sending limits hold when the requests race: two servers (or two threads of one) asked
for a code for the same phone in the same instant send one, not two — the limit is counted
and the new code recorded as one step, each phone, account and address in turn."""

from __future__ import annotations

import pytest

from sscard.audit.models import AuditRecord
from sscard.testing.factories import UserFactory
from sscard.testing.races import assert_no_crashes, refusals, run_at_once, succeeded
from sscard.verification.models import Challenge, Purpose
from sscard.verification.services import (
    ACCOUNT_LIMITS,
    ADDRESS_LIMITS,
    TooManyCodes,
    challenge_start,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.race]

N = 8


def test_racing_requests_for_one_phone_send_one_code():
    def ask() -> Challenge:
        return challenge_start(purpose=Purpose.REGISTER, phone="13812345678")

    outcomes = run_at_once(*[ask] * N)

    assert_no_crashes(outcomes)
    assert len(succeeded(outcomes)) == 1  # one a minute
    assert all(isinstance(e, TooManyCodes) for e in refusals(outcomes))
    assert Challenge.objects.count() == 1


def test_racing_requests_from_one_address_stay_within_its_limit():
    most = ADDRESS_LIMITS[0][1]

    def ask(n: int):
        return lambda: challenge_start(
            purpose=Purpose.REGISTER, phone=f"137{n:08d}", client_ip="203.0.113.7"
        )

    outcomes = run_at_once(*[ask(n) for n in range(most + 4)])

    assert_no_crashes(outcomes)
    assert len(succeeded(outcomes)) == most
    assert Challenge.objects.filter(client_ip="203.0.113.7").count() == most


def test_racing_requests_of_one_account_stay_within_its_limit():
    user = UserFactory()
    most = ACCOUNT_LIMITS[0][1]

    def ask(n: int):
        return lambda: challenge_start(purpose=Purpose.NEW_PHONE, phone=f"135{n:08d}", user=user)

    outcomes = run_at_once(*[ask(n) for n in range(most + 3)])

    assert_no_crashes(outcomes)
    assert len(succeeded(outcomes)) == most


def test_a_refusal_is_audited_even_though_nothing_is_recorded():
    challenge_start(purpose=Purpose.REGISTER, phone="13812345678")
    with pytest.raises(TooManyCodes):
        challenge_start(purpose=Purpose.REGISTER, phone="13812345678")
    assert AuditRecord.objects.filter(action="sms_code.limited").count() == 1
    assert Challenge.objects.count() == 1
