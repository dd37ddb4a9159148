"""How long a batch's personal data may be downloaded: the bank needs the full ID number,
phone and address to make and deliver the cards, not once they are made. A batch done more
than ``RegionSettings.batch_download_days`` days ago (default 30) is no longer given out —
neither the partner API's batch detail nor the production officer's batch files — and every
refused attempt is audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.production.constants import BatchStatus
from sscard.production.models import Batch
from sscard.regions.selectors import region_settings


class BatchDownloadClosed(DomainError):
    """The batch's data is no longer given out: an API answers 410 Gone, a page too."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="gone")


def batch_download_closes_at(batch: Batch) -> datetime | None:
    """When the batch's data stops being given out (None while the batch is not done)."""
    if batch.status != BatchStatus.DONE or batch.done_at is None:
        return None
    return batch.done_at + timedelta(days=region_settings().batch_download_days)


def batch_download_ensure_open(
    *, batch: Batch, actor: Any, via: str, detail: dict[str, Any] | None = None
) -> None:
    """Raise :class:`BatchDownloadClosed` (after auditing the attempt) once the batch has
    been done longer than the region allows. ``via`` names the route (``api``, ``csv``…)."""
    closes_at = batch_download_closes_at(batch)
    if closes_at is None or timezone.now() < closes_at:
        return
    days = region_settings().batch_download_days
    audit_record(
        actor=actor,
        action="production.batch_download_refused",
        target=batch,
        detail={"batch": batch.number, "via": via, **(detail or {})},
        result=AuditRecord.Result.REFUSED,
    )
    assert batch.done_at is not None  # noqa: S101 — closes_at is only set for a done batch
    done = timezone.localtime(batch.done_at)
    raise BatchDownloadClosed(
        f"批次{batch.number}已于{done:%Y-%m-%d}完成，超过{days}天，"
        f"批次明细（含个人信息）不再提供下载"
    )
