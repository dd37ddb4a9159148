"""The audit trail's hash chain: each record carries an HMAC-SHA-256 (key ``SSCARD_AUDIT_KEY``)
of its own stored fields and of the hash of the record before it, so that a changed, removed
or reordered record breaks the chain from that point on, and nobody without the key can mend
it.

What is hashed is one canonical JSON text (keys sorted, no spaces, UTF-8) of ``seq`` (the
record's place in the chain: 1, 2, 3… without gaps), ``at`` (UTC, microseconds), every other
stored field, ``detail`` as the database gives it back, and ``prev_hash`` (``GENESIS`` for
the first record). The row id is the database's own counter and is not hashed: the chain's
order is ``seq``. Changing this text changes every hash: it needs a migration that chains
the trail again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "actor_id",
    "actor_label",
    "actor_role",
    "action",
    "target_type",
    "target_id",
    "result",
    "address",
    "channel",
    "request_id",
    "prev_hash",
)


def _plain(value: Any) -> Any:
    """``detail`` as any database returns it: PostgreSQL's jsonb writes 1e20 and 100.0 as
    whole numbers, so a float with no fraction counts as that whole number."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical(record: Any) -> bytes:
    """The text the hash covers, from anything with the record's attributes (the model, or
    the historical model a migration has)."""
    data = {name: getattr(record, name) for name in HASHED_FIELDS}
    data["at"] = record.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    data["detail"] = _plain(json.loads(json.dumps(record.detail)))
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()


def record_hash(record: Any) -> str:
    return hmac.new(
        settings.SSCARD_AUDIT_KEY.encode(), canonical(record), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold: the record (``None`` when records
    after the last one are missing) and what is wrong there."""

    record_id: int | None
    seq: int | None
    reason: str


@dataclass(frozen=True)
class Verdict:
    verified: int
    last_seq: int
    last_hash: str
    broken: Break | None = None


def verify(records: Iterable[Any], *, head_seq: int, head_hash: str) -> Verdict:
    """Walk ``records`` in ``seq`` order and report the first break. ``head_seq`` and
    ``head_hash`` are where the last append left the chain: a chain that ends before them
    has lost its last records."""
    expected_seq, prev = 1, GENESIS
    count = 0
    for record in records:
        if record.seq != expected_seq:
            missing = record.seq is not None and record.seq > expected_seq
            what = "之前的记录缺失" if missing else "序号被改动"
            reason = f"序号应为 {expected_seq}，实为 {record.seq}（{what}）"
            return Verdict(count, expected_seq - 1, prev, Break(record.pk, record.seq, reason))
        if record.prev_hash != prev:
            reason = "前一条记录的哈希不符（之前的记录被删除、替换或调换）"
            return Verdict(count, expected_seq - 1, prev, Break(record.pk, record.seq, reason))
        if not hmac.compare_digest(record.hash, record_hash(record)):
            reason = "内容与哈希不符（记录被改动）"
            return Verdict(count, expected_seq - 1, prev, Break(record.pk, record.seq, reason))
        count += 1
        expected_seq, prev = expected_seq + 1, record.hash
    if (count, prev) != (head_seq, head_hash):
        reason = f"链尾应为第 {head_seq} 条，实为第 {count} 条（最后的记录缺失或被改动）"
        return Verdict(count, count, prev, Break(None, None, reason))
    return Verdict(count, count, prev)
