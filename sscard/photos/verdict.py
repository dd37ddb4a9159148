"""One call for a screen that checks a photo as it is uploaded (the portal's htmx preview) and
for the service that stores it: harden the upload, check it, fix it if it falls short, and
say what happened. Never raises for a bad photo: the verdict carries the reason."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sscard.core.errors import DomainError
from sscard.photos.check import Finding, PhotoReport, check_photo
from sscard.photos.fix import fix_photo
from sscard.photos.spec import SizeBounds
from sscard.photos.uploads import PHOTO_MAX_BYTES, harden_image

if TYPE_CHECKING:
    from sscard.regions.models import RegionSettings


@dataclass(frozen=True)
class PhotoVerdict:
    ok: bool
    data: bytes | None  # the photo to store: as uploaded (hardened) or fixed; None if refused
    report: PhotoReport  # the check of ``data``, or of the upload when it was refused
    original: PhotoReport | None  # the check of the upload, when it was fixed
    reason: str  # why it was refused ("" when ok)

    @property
    def fixed(self) -> bool:
        return self.ok and self.original is not None

    @property
    def message(self) -> str:
        """The refusal as the citizen reads it next to the photo field."""
        if self.ok:
            return ""
        if self.report.messages == [self.reason]:
            return f"证件照不符合要求：{self.reason}"
        listed = "；".join(self.report.messages)
        found = f"检测结果：{listed}。" if listed else ""
        return f"证件照不符合要求，无法自动修正：{self.reason}。{found}"

    def data_url(self) -> str:
        """The photo to show before submission (``<img src>``; CSP allows ``data:`` images)."""
        if self.data is None:
            return ""
        return "data:image/jpeg;base64," + base64.b64encode(self.data).decode("ascii")

    def context(self) -> dict[str, Any]:
        """What ``photos/_report.html`` needs."""
        return {
            "report": self.report,
            "fixed": self.fixed,
            "original": self.original,
            "reason": self.reason,
        }

    def as_check(self) -> dict[str, Any]:
        """JSON for ``Material.photo_check``."""
        stored = {**self.report.as_dict(), "fixed": self.fixed}
        if self.original is not None:
            stored["original"] = self.original.as_dict()
        return stored


def examine_photo(
    upload: Any, *, region: RegionSettings | SizeBounds | None = None
) -> PhotoVerdict:
    bounds = SizeBounds.of(region)
    try:
        hardened = harden_image(upload, max_bytes=PHOTO_MAX_BYTES, field="photo")
    except DomainError as refused:
        report = PhotoReport(ok=False, findings=(Finding("format", refused.message, ""),))
        return PhotoVerdict(
            ok=False, data=None, report=report, original=None, reason=refused.message
        )
    data = hardened.read()
    report = check_photo(data, region=bounds)
    if report.ok:
        return PhotoVerdict(ok=True, data=data, report=report, original=None, reason="")
    result = fix_photo(data, region=bounds, checked=report)  # not checked twice
    if not result.ok or result.data is None:
        return PhotoVerdict(ok=False, data=None, report=report, original=None, reason=result.reason)
    return PhotoVerdict(ok=True, data=result.data, report=result.report, original=report, reason="")
