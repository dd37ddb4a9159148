"""Sending limits beyond the phone's own: per client address and per account,
so that one visitor cannot text many phones, nor one account many codes."""

from __future__ import annotations

import pytest

from sscard.core.errors import DomainError
from sscard.testing.factories import UserFactory
from sscard.verification.models import Purpose
from sscard.verification.services import ACCOUNT_LIMITS, ADDRESS_LIMITS, challenge_start

pytestmark = pytest.mark.django_db


def test_one_address_gets_at_most_its_hourly_codes_across_phones():
    most = ADDRESS_LIMITS[0][1]
    for n in range(most):
        challenge_start(purpose=Purpose.REGISTER, phone=f"137{n:08d}", client_ip="203.0.113.9")
    with pytest.raises(DomainError) as refused:
        challenge_start(purpose=Purpose.REGISTER, phone="13699999999", client_ip="203.0.113.9")
    assert refused.value.code == "too_many" and "分钟后再试" in refused.value.message
    # another address is not held back
    challenge_start(purpose=Purpose.REGISTER, phone="13699999999", client_ip="203.0.113.10")


def test_one_account_gets_at_most_its_hourly_codes_across_phones():
    user = UserFactory()
    most = ACCOUNT_LIMITS[0][1]
    for n in range(most):
        challenge_start(purpose=Purpose.NEW_PHONE, phone=f"135{n:08d}", user=user)
    with pytest.raises(DomainError) as refused:
        challenge_start(purpose=Purpose.NEW_PHONE, phone="13499999999", user=user)
    assert refused.value.code == "too_many"


def test_a_login_s_code_is_limited_by_the_name_typed_and_the_account_s_limits_kept_silently():
    """A login must not tell whether a name is an account: the refusal it shows counts by the
    name typed (as a phone's, letter case aside); an account that had its codes gets a decoy,
    not a refusal."""
    user = UserFactory(username="zhangsan")
    for n in range(ACCOUNT_LIMITS[0][1]):
        challenge_start(purpose=Purpose.NEW_PHONE, phone=f"135{n:08d}", user=user)
    login = challenge_start(
        purpose=Purpose.LOGIN, phone=user.person.phone, user=user, limit_account="zhangsan"
    )
    assert login.is_decoy  # the account's hourly limit, kept without a word
    with pytest.raises(DomainError) as refused:
        challenge_start(purpose=Purpose.LOGIN, phone="", limit_account="ZhangSan")
    assert refused.value.code == "too_many" and "秒后再获取验证码" in refused.value.message
    # another name is not held back, whether or not it is an account
    challenge_start(purpose=Purpose.LOGIN, phone="", limit_account="lisi")
