"""The ZIP of employees' photos, opened defensively: a size cap, an entry-count cap, no
encrypted entries, no links, no path traversal, no archive inside the archive, no zip bomb
(each entry's declared size, its compression ratio and the bytes actually read are capped).
Nothing is ever extracted to disk: photos are read into memory by their ID number."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from typing import IO

from sscard.core.errors import DomainError
from sscard.photos.uploads import MB, PHOTO_MAX_BYTES

MAX_ZIP_BYTES = 300 * MB
MAX_ENTRIES = 5_100
MAX_TOTAL_BYTES = 1_024 * MB
MAX_RATIO = 100  # a photo compresses by a few percent; 100:1 is a bomb
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".jar")
ARCHIVE_MAGIC = (b"PK\x03\x04", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")
ID_STEM = re.compile(r"^[0-9A-Za-z]{6,20}$")


def _refuse(message: str) -> DomainError:
    return DomainError(message, field="photos", code="bad_zip")


@dataclass
class PhotoArchive:
    """The photos by ID number (upper-case), and what was skipped, for the preview."""

    handle: zipfile.ZipFile
    entries: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    duplicates: set[str] = field(default_factory=set)
    ignored: list[str] = field(default_factory=list)

    def photo(self, doc_number: str) -> bytes | None:
        """The photo named by ``doc_number``, read within the per-photo cap."""
        info = self.entries.get(doc_number.upper())
        if info is None:
            return None
        with self.handle.open(info) as member:
            data = member.read(PHOTO_MAX_BYTES + 1)
        if len(data) > PHOTO_MAX_BYTES:
            raise _refuse(f"照片{info.filename}过大，每张照片最大10MB")
        if data.startswith(ARCHIVE_MAGIC):
            raise _refuse(f"{info.filename}不是照片：压缩包内不能再含压缩包")
        return data


def _safe_name(name: str) -> str:
    """The entry's file name; a path that climbs out or is absolute is refused."""
    text = name.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise _refuse(f"压缩包内的文件路径不安全：{name[:60]}")
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise _refuse(f"压缩包内的文件路径不安全：{name[:60]}")
    return parts[-1] if parts else ""


def open_photo_archive(stream: IO[bytes], *, size: int) -> PhotoArchive:
    """Check the whole archive before any photo is used; raises :class:`DomainError`
    (``field="photos"``) with the reason."""
    if size > MAX_ZIP_BYTES:
        raise _refuse(f"照片压缩包过大（最大{MAX_ZIP_BYTES // MB}MB），请分批上传")
    try:
        handle = zipfile.ZipFile(stream)
        infos = handle.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse("无法读取照片压缩包，请上传 ZIP 格式的文件") from exc
    if len(infos) > MAX_ENTRIES:
        raise _refuse(f"照片压缩包内文件过多（最多{MAX_ENTRIES}个）")
    archive = PhotoArchive(handle=handle)
    total = 0
    for info in infos:
        name = _safe_name(info.filename)
        if info.is_dir() or not name:
            continue
        mode = info.external_attr >> 16
        if mode and stat.S_ISLNK(mode):
            raise _refuse(f"压缩包内不能含链接文件：{name[:60]}")
        if info.flag_bits & 0x1:
            raise _refuse("照片压缩包不能加密，请去掉密码后重新压缩")
        lower = name.lower()
        if lower.endswith(ARCHIVE_SUFFIXES):
            raise _refuse(f"压缩包内不能再含压缩包：{name[:60]}")
        if info.file_size > PHOTO_MAX_BYTES:
            raise _refuse(f"照片{name[:60]}过大，每张照片最大10MB")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > MB:
            raise _refuse("照片压缩包异常（压缩比过高），请直接压缩照片文件后重新上传")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _refuse("照片压缩包解压后过大，请分批上传")
        if name.startswith(".") or lower.startswith("__macosx"):
            continue
        stem, dot, suffix = name.rpartition(".")
        if not dot or f".{suffix.lower()}" not in PHOTO_SUFFIXES or not ID_STEM.match(stem):
            archive.ignored.append(name[:60])
            continue
        key = stem.upper()
        if key in archive.entries:
            archive.duplicates.add(key)
        archive.entries[key] = info
    return archive


def build_photo_archive(photos: dict[str, bytes]) -> bytes:
    """A ZIP of ``{file name: bytes}`` (the demo and the tests)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as handle:
        for name, data in photos.items():
            handle.writestr(name, data)
    return out.getvalue()
