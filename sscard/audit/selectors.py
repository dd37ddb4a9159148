from __future__ import annotations

from sscard.audit.chain import GENESIS, Verdict, verify
from sscard.audit.models import AuditChainHead, AuditRecord


def verify_trail() -> Verdict:
    """The whole trail checked against its chain, oldest record first (read in chunks)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    records = AuditRecord.objects.order_by("seq").iterator(chunk_size=2000)
    return verify(
        records,
        head_seq=head.seq if head else 0,
        head_hash=head.hash if head else GENESIS,
    )


def hash_at(seq: int) -> str | None:
    """The hash of the record numbered ``seq``, if there is one."""
    return AuditRecord.objects.filter(seq=seq).values_list("hash", flat=True).first()
