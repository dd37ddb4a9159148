"""The synthetic identity numbers of :mod:`sscard.core.sample_ids`, under the name the tests
have always imported them by."""

from sscard.core.sample_ids import JIEYANG_AREAS, resident_id, uscc

__all__ = ["JIEYANG_AREAS", "resident_id", "uscc"]
