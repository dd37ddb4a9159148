"""Uploads become materials: every file is hardened (sscard.photos.uploads); a photo is then
checked against the card-photo spec and, when it falls short, fixed automatically or refused
with every reason. This runs before a service opens its transaction: decoding and checking a
picture takes tens of milliseconds that no database lock should wait on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile

from sscard.applications.constants import MaterialKind
from sscard.core.errors import DomainError
from sscard.photos.spec import checked_under
from sscard.photos.uploads import DOCUMENT_MAX_BYTES, HardenedFile, harden_document
from sscard.photos.verdict import examine_photo
from sscard.regions.models import RegionSettings


@dataclass(frozen=True)
class PreparedUpload:
    """A hardened upload, ready to be stored as a :class:`Material`."""

    kind: str
    file: ContentFile
    content_type: str
    photo_check: dict[str, Any] = field(default_factory=dict)
    # a photo's: the rules its check was made under (``spec.checked_under``)
    checked_under: str = ""

    @property
    def size(self) -> int:
        return int(self.file.size)


# what an item's service takes for a material: a file as posted, or one prepared already (a
# portal draft's, an employer batch's), which is stored as it is
Upload = UploadedFile | PreparedUpload


def prepare_upload(kind: str, upload: Any, *, region: RegionSettings) -> PreparedUpload:
    """Harden one upload; for a photo, check it and fix it or refuse it (``field="photo"``)."""
    if kind != MaterialKind.PHOTO:
        document = harden_document(upload, max_bytes=DOCUMENT_MAX_BYTES, field=kind)
        return PreparedUpload(kind=kind, file=document, content_type=document.content_type)
    verdict = examine_photo(upload, region=region)
    if not verdict.ok or verdict.data is None:
        raise DomainError(verdict.message, field="photo", code="photo_refused")
    photo = HardenedFile(verdict.data, "image/jpeg")
    return PreparedUpload(
        kind=kind,
        file=photo,
        content_type=photo.content_type,
        photo_check=verdict.as_check(),
        checked_under=checked_under(region),
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


# ---------------------------------------------------------------------------------------------
# Files written inside a transaction that then fails must not stay behind: a photo with no
# record of it is personal data nobody can find, show or delete.

_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("_written", default=None)


def note_written(storage: Storage, name: str) -> None:
    written = _written.get()
    if written is not None:
        written.append((storage, name))


@contextmanager
def files_removed_unless_committed() -> Iterator[None]:
    """Around a service's ``transaction.atomic()``: when the block raises (and its rows are
    rolled back), the files it stored are deleted as well."""
    written: list[tuple[Storage, str]] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    finally:
        _written.reset(token)
