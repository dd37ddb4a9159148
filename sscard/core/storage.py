"""Where uploaded files live: the media folder, every file encrypted (``filecrypt``) on its way
in and decrypted on its way out, so that whatever stores or reads a file through the storage
(a material's ``FileField``, a draft's upload, an employer's batch files and licence) never
writes or sees plaintext on disk. Read files through the storage, never by their path."""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage

from sscard.core import crypto, filecrypt

logger = logging.getLogger("sscard.files")
TEMP_PREFIX = ".reseal-"


class _Sealing(File):
    """What the file system storage writes: the content, encrypted chunk by chunk. (No
    ``temporary_file_path``: a large upload is never moved into place as it is.)"""

    def __init__(self, content: Any) -> None:
        super().__init__(None, getattr(content, "name", None))
        self._content = content

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return filecrypt.seal_chunks(self._content.chunks())


class StoredFile(File):
    """A stored file opened for reading; reopening it goes through the storage again."""

    def __init__(self, storage: EncryptedFileSystemStorage, name: str) -> None:
        self._storage = storage
        super().__init__(storage.reader(name), name)

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> StoredFile:
        if self.closed:
            self.file = self._storage.reader(self.name or "")
        else:
            self.seek(0)
        return self


class EncryptedFileSystemStorage(FileSystemStorage):
    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        if not hasattr(content, "chunks"):
            content = File(content, name)
        return super().save(name, _Sealing(content), max_length=max_length)

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode.strip("b") not in ("r", ""):
            raise ValueError("stored files are written by save() only")
        return StoredFile(self, name)

    def reader(self, name: str) -> IO[bytes]:
        """The content of a stored file; a plain one (stored before encryption) as it is."""
        path = self.path(name)
        raw = open(path, "rb")  # noqa: SIM115 — handed to the caller, who closes it
        try:
            sealed = filecrypt.open_sealed(raw, os.fstat(raw.fileno()).st_size)
        except filecrypt.FileDecryptionError:
            raw.close()
            logger.warning("files.decrypt_failed", extra={"storage_name": name})
            raise
        except BaseException:
            raw.close()
            raise
        return raw if sealed is None else sealed

    def size(self, name: str) -> int:
        """The size of the content (not of the encrypted file)."""
        path = self.path(name)
        with open(path, "rb") as raw:
            header = filecrypt.read_header(raw)
            sealed_size = os.fstat(raw.fileno()).st_size
        return sealed_size if header is None else filecrypt.plain_size(sealed_size, header)

    def key_id(self, name: str) -> str | None:
        """The id of the key a stored file is encrypted with; None for a plain file."""
        with open(self.path(name), "rb") as raw:
            header = filecrypt.read_header(raw)
        return None if header is None else header.key_id

    def names(self) -> Iterator[str]:
        """Every stored file's name, folder by folder."""
        root = str(self.location)
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for file in sorted(files):
                if not file.startswith(TEMP_PREFIX):
                    yield os.path.relpath(os.path.join(folder, file), root).replace(os.sep, "/")

    def reseal(self, name: str) -> bool:
        """Encrypt a stored file again under the current key (or encrypt a plain one): the
        new file is written beside the old one and put in its place at once, so a run
        stopped half-way leaves every file whole. False when it is under the current key."""
        if self.key_id(name) == crypto.current_key_id():
            return False
        path = self.path(name)
        fd, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=TEMP_PREFIX)
        try:
            with self.reader(name) as source, os.fdopen(fd, "wb") as out:
                for piece in filecrypt.seal_chunks(
                    iter(lambda: source.read(filecrypt.SEGMENT), b"")
                ):
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, stat.S_IMODE(os.stat(path).st_mode))
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
        return True
