"""A sample card photo that meets the spec, for the demo data (see
scripts/make_sample_portrait.py for where it comes from)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

SAMPLE_PORTRAIT = Path(__file__).resolve().parent / "data" / "sample_portrait.jpg"


@cache
def sample_portrait() -> bytes:
    return SAMPLE_PORTRAIT.read_bytes()
