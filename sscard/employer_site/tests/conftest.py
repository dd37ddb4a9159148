"""The employer tests' fixtures (two employers with a login each), shared with the domain's."""

from sscard.employers.tests.conftest import agent, other_agent

__all__ = ["agent", "other_agent"]
