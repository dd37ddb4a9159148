from __future__ import annotations

import pytest

from sscard.notifications.backends import MemoryBackend


@pytest.fixture(autouse=True)
def sent():
    """What the SMS and WeChat gateways were given during the test."""
    MemoryBackend.sent.clear()
    yield MemoryBackend.sent
    MemoryBackend.sent.clear()
