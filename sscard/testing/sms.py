"""Reading the texts the service sent, as a person reads their phone (the test run's SMS
backend keeps them in memory)."""

from __future__ import annotations

import re

from sscard.accounts.models import User
from sscard.notifications.backends import MemoryBackend
from sscard.verification.models import Purpose
from sscard.verification.services import challenge_send, challenge_start, challenge_verify

CODE = re.compile(r"验证码为(\d{6})")


def texts_to(phone: str) -> list[str]:
    return [sms["body"] for sms in MemoryBackend.sent if sms["address"] == phone]


def code_sent_to(phone: str) -> str:
    """The newest one-time code texted to ``phone``."""
    codes = [match.group(1) for body in texts_to(phone) if (match := CODE.search(body))]
    assert codes, f"no code was texted to {phone[:3]}****"  # noqa: S101
    return codes[-1]


def new_phone_proved(user: User, phone: str) -> str:
    """A code texted to the new ``phone`` and entered by ``user``, as 信息变更 asks before a
    phone number changes: the challenge id to hand to the change."""
    challenge = challenge_start(purpose=Purpose.NEW_PHONE, phone=phone, user=user)
    challenge_send(challenge)
    challenge_verify(
        challenge_id=challenge.pk, code=code_sent_to(phone), purpose=Purpose.NEW_PHONE, user=user
    )
    return str(challenge.pk)
