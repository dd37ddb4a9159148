"""Money is counted in 分 (integers), never in floats: the screens show yuan."""

from __future__ import annotations


def fen_label(fen: int) -> str:
    """``2000`` → ``¥20.00``; ``0`` → ``免费``."""
    if not fen:
        return "免费"
    return f"¥{fen // 100}.{fen % 100:02d}"


def yuan(fen: int) -> str:
    """``2000`` → ``20.00`` (no sign: for tables and statements)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
