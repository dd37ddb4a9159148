"""Uploads become materials: every file is hardened (sscard.photos.uploads); a photo is then
checked against the card-photo spec and, when it falls short, fixed automatically or refused
with every reason. This runs before a service opens its transaction: decoding and checking a
picture takes tens of milliseconds that no database lock should wait on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile

from sscard.applications.constants import MaterialKind
from sscard.core.errors import DomainError
from sscard.photos.check import check_photo
from sscard.photos.fix import fix_photo
from sscard.photos.uploads import (
    DOCUMENT_MAX_BYTES,
    PHOTO_MAX_BYTES,
    HardenedFile,
    harden_document,
    harden_image,
)
from sscard.regions.models import RegionSettings


@dataclass(frozen=True)
class PreparedUpload:
    """A hardened upload, ready to be stored as a :class:`Material`."""

    kind: str
    file: ContentFile
    content_type: str
    photo_check: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.file.size)


def photo_refusal(reason: str, messages: list[str]) -> str:
    listed = "；".join(messages)
    return f"证件照不符合要求，无法自动修正：{reason}。" + (
        f"检测结果：{listed}。" if listed else ""
    )


def prepare_upload(kind: str, upload: Any, *, region: RegionSettings) -> PreparedUpload:
    """Harden one upload; for a photo, check it and fix it or refuse it (``field="photo"``)."""
    if kind != MaterialKind.PHOTO:
        document = harden_document(upload, max_bytes=DOCUMENT_MAX_BYTES, field=kind)
        return PreparedUpload(kind=kind, file=document, content_type=document.content_type)

    photo = harden_image(upload, max_bytes=PHOTO_MAX_BYTES, field="photo")
    data = photo.read()
    report = check_photo(data, region=region)
    if report.ok:
        return PreparedUpload(
            kind=kind,
            file=photo,
            content_type=photo.content_type,
            photo_check={**report.as_dict(), "fixed": False},
        )
    result = fix_photo(data, region=region)
    if not result.ok or result.data is None:
        raise DomainError(
            photo_refusal(result.reason, report.messages), field="photo", code="photo_refused"
        )
    fixed = HardenedFile(result.data, "image/jpeg")
    return PreparedUpload(
        kind=kind,
        file=fixed,
        content_type=fixed.content_type,
        photo_check={**result.report.as_dict(), "fixed": True, "original": report.as_dict()},
    )


def prepare_uploads(
    files: Mapping[str, Any] | None, *, region: RegionSettings
) -> dict[str, PreparedUpload]:
    """Every material kind present in ``files``, hardened (the first refusal is raised)."""
    prepared: dict[str, PreparedUpload] = {}
    for kind in MaterialKind.values:
        upload = (files or {}).get(kind)
        if upload:
            prepared[kind] = (
                upload
                if isinstance(upload, PreparedUpload)
                else prepare_upload(kind, upload, region=region)
            )
    return prepared
