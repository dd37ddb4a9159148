"""The media folder's part of a backup: every stored file as it lies on disk, that is still
encrypted under the data keys (``sscard.core.storage``), in one tar file. Nothing is decrypted
on the way: the backup reveals no more than the folder does."""

from __future__ import annotations

import tarfile
import time
from pathlib import Path

from django.core.files.storage import default_storage

from sscard.backups.manifest import BackupError, Progress
from sscard.core.storage import EncryptedFileSystemStorage

EVERY_SECONDS = 5


def media_storage() -> EncryptedFileSystemStorage:
    if not isinstance(default_storage, EncryptedFileSystemStorage):
        raise BackupError("存储的文件不在本机的媒体目录中（STORAGES），无法备份或恢复")
    return default_storage


def media_root() -> Path:
    return Path(media_storage().location)


def is_empty() -> bool:
    return next(media_storage().names(), None) is None


def dump(target: Path, progress: Progress) -> tuple[int, int]:
    """Write every stored file into ``target``; how many and how many bytes. Taken after the
    database, so every file the dumped rows name was complete; one removed meanwhile (a purge
    of old drafts) is left out."""
    storage = media_storage()
    names = list(storage.names())
    progress(f"打包媒体目录 {storage.location}（{len(names)} 个文件）…")
    files = size = 0
    shown = time.monotonic()
    with tarfile.open(target, "w") as tar:
        for done, name in enumerate(names, start=1):
            try:
                info = tar.gettarinfo(storage.path(name), arcname=name)
                with open(storage.path(name), "rb") as handle:
                    tar.addfile(info, handle)
            except FileNotFoundError:
                continue
            files, size = files + 1, size + info.size
            if time.monotonic() - shown >= EVERY_SECONDS:
                progress(f"  文件 {done}/{len(names)}")
                shown = time.monotonic()
    return files, size


def restore(source: Path, progress: Progress) -> int:
    """Unpack the stored files into the (empty) media folder; how many. Tar's "data" filter
    refuses absolute names, ``..``, links out of the folder and device files."""
    root = media_root()
    root.mkdir(parents=True, exist_ok=True)
    progress(f"恢复媒体目录 {root}…")
    files = 0
    shown = time.monotonic()
    try:
        with tarfile.open(source, "r:") as tar:
            for member in tar:
                tar.extract(member, root, filter="data")
                files += member.isfile()
                if time.monotonic() - shown >= EVERY_SECONDS:
                    progress(f"  已恢复 {files} 个文件")
                    shown = time.monotonic()
    except tarfile.TarError as exc:
        raise BackupError(f"{source.name} 无法解开：{exc}") from exc
    return files
