"""Fixtures of the employer tests: two employers with a login each, a bank and an outlet."""

from __future__ import annotations

import pytest

from sscard.accounts.models import User
from sscard.testing.factories import EmployerAgentFactory


@pytest.fixture
def agent(db, partners) -> User:
    return EmployerAgentFactory(username="hr_jieyang", employer__name="揭阳市示例制造有限公司")


@pytest.fixture
def other_agent(db, partners) -> User:
    return EmployerAgentFactory(username="hr_other", employer__name="揭阳市另一家贸易有限公司")
