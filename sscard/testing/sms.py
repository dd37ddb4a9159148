"""Reading the texts the service sent, as a person reads their phone (the test run's SMS
backend keeps them in memory)."""

from __future__ import annotations

import re

from sscard.notifications.backends import MemoryBackend

CODE = re.compile(r"验证码为(\d{6})")


def texts_to(phone: str) -> list[str]:
    return [sms["body"] for sms in MemoryBackend.sent if sms["address"] == phone]


def code_sent_to(phone: str) -> str:
    """The newest one-time code texted to ``phone``."""
    codes = [match.group(1) for body in texts_to(phone) if (match := CODE.search(body))]
    assert codes, f"no code was texted to {phone[:3]}****"  # noqa: S101
    return codes[-1]
