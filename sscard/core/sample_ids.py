"""Synthetic identity numbers that pass every format check: for the demo data, the employer
sample workbook, the benchmark data and the tests."""

from __future__ import annotations

import random
from datetime import date

from sscard.core.documents import mod11_2_check_char, uscc_check_char

# Jieyang's districts: 榕城区, 揭东区, 揭西县, 惠来县, 普宁市
JIEYANG_AREAS = ("445202", "445203", "445222", "445224", "445281")


def resident_id(
    birth: date,
    *,
    male: bool = True,
    area: str = "445202",
    rng: random.Random | None = None,
    serial: int | None = None,
) -> str:
    """A valid number; ``serial`` (0–498) picks the sequence deterministically."""
    if serial is None:
        rng = rng or random.Random()  # noqa: S311 — synthetic data, not a secret
        serial = rng.randrange(0, 499)
    sequence = serial * 2 + (1 if male else 0)
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + mod11_2_check_char(first17)


def uscc(*, area: str = "445200", rng: random.Random | None = None) -> str:
    rng = rng or random.Random()  # noqa: S311
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "".join(rng.choice(alphabet) for _ in range(9))
    first17 = f"91{area}{body}"
    return first17 + uscc_check_char(first17)
