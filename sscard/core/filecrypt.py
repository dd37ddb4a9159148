"""Stored files encrypted with the personal-data keys (``SSCARD_DATA_KEYS``, see ``crypto``):
AES-256-GCM, the key id in the header, so that keys rotate for files as they do for fields.

Format, version 1::

    b"SSCF" | 0x01 | key id length (1 byte) | key id (ASCII) | salt (16 bytes)
    segment 0 | segment 1 | … each: ciphertext of up to 64 KiB of content ‖ GCM tag (16 bytes)

Each file has its own key, HKDF-SHA256 of the data key with the file's random salt; a
segment's nonce is its number (11 bytes) followed by 1 for the last segment and 0 otherwise,
and the header is the associated data. A reader can therefore seek (a ZIP's directory is at
its end, a 300 MB archive is never read whole), and a changed byte, a swapped or reordered
segment, a file cut short or a different key id in the header all fail to decrypt.
A file that does not start with the magic bytes is plain: one stored before encryption.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sscard.core import crypto

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MAGIC = b"SSCF"
VERSION = 1
SEGMENT = 64 * 1024
TAG = 16
SALT = 16
_FIXED = len(MAGIC) + 2  # magic, version, key id length


class FileDecryptionError(crypto.DecryptionError, OSError):
    """A stored file cannot be decrypted: unknown key id, changed or cut short."""


@dataclass(frozen=True)
class Header:
    key_id: str
    salt: bytes

    @property
    def raw(self) -> bytes:
        key_id = self.key_id.encode("ascii")
        return MAGIC + bytes([VERSION, len(key_id)]) + key_id + self.salt

    def cipher(self) -> AESGCM:
        try:
            key = crypto.data_key(self.key_id)
        except crypto.DecryptionError as exc:
            raise FileDecryptionError("stored file under an unknown key") from exc
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=self.salt,
            info=b"sscard stored file v1 " + self.key_id.encode("ascii"),
        ).derive(key)
        return AESGCM(derived)


def _nonce(index: int, *, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _segments(chunks: Iterable[bytes | str]) -> Iterator[tuple[bytes, bool]]:
    """The content in segments of :data:`SEGMENT` bytes, each with whether it is the last
    (only the last may be shorter; an empty content is one empty last segment)."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk.encode() if isinstance(chunk, str) else chunk
        while len(buffer) > SEGMENT:
            yield bytes(buffer[:SEGMENT]), False
            del buffer[:SEGMENT]
    yield bytes(buffer), True


def seal_chunks(chunks: Iterable[bytes | str]) -> Iterator[bytes]:
    """The encrypted file, header first, for content given in chunks of any size, under the
    current key (the first of ``SSCARD_DATA_KEYS``)."""
    header = Header(key_id=crypto.current_key_id(), salt=os.urandom(SALT))
    cipher, aad = header.cipher(), header.raw
    yield aad
    for index, (segment, last) in enumerate(_segments(chunks)):
        yield cipher.encrypt(_nonce(index, last=last), segment, aad)


def seal(data: bytes) -> bytes:
    return b"".join(seal_chunks([data]))


def read_header(handle: BinaryIO) -> Header | None:
    """The header of a file read from its start, or None for a plain file. Leaves the handle
    after the header (after what was read, for a plain file)."""
    fixed = handle.read(_FIXED)
    if len(fixed) < _FIXED or fixed[: len(MAGIC)] != MAGIC:
        return None
    if fixed[len(MAGIC)] != VERSION:
        raise FileDecryptionError("unknown stored-file version")
    rest = handle.read(fixed[-1] + SALT)
    if len(rest) != fixed[-1] + SALT:
        raise FileDecryptionError("stored file cut short")
    try:
        key_id = rest[: fixed[-1]].decode("ascii")
    except UnicodeDecodeError as exc:
        raise FileDecryptionError("bad key id") from exc
    return Header(key_id=key_id, salt=rest[fixed[-1] :])


def plain_size(sealed_size: int, header: Header) -> int:
    """The content's size, from the encrypted file's."""
    body = sealed_size - len(header.raw)
    count = max(1, -(-body // (SEGMENT + TAG)))
    if body < TAG:
        raise FileDecryptionError("stored file cut short")
    return body - count * TAG


class SealedReader(io.RawIOBase):
    """The content of an encrypted file, readable and seekable; a segment is decrypted (and
    checked) when it is read."""

    def __init__(self, raw: BinaryIO, header: Header, sealed_size: int) -> None:
        super().__init__()
        self._raw, self._header = raw, header
        self._aad = header.raw
        self._cipher = header.cipher()
        self._size = plain_size(sealed_size, header)
        self._count = max(1, -(-self._size // SEGMENT))
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    @property
    def key_id(self) -> str:
        return self._header.key_id

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def segment(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        last = index == self._count - 1
        self._raw.seek(len(self._aad) + index * (SEGMENT + TAG))
        sealed = self._raw.read(SEGMENT + TAG)
        try:
            plain = self._cipher.decrypt(_nonce(index, last=last), sealed, self._aad)
        except InvalidTag as exc:
            raise FileDecryptionError("stored file rejected") from exc
        self._cached = (index, plain)
        return plain

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        if self._pos >= self._size or not len(view):
            return 0
        index = self._pos // SEGMENT
        start = self._pos - index * SEGMENT
        piece = self.segment(index)[start : start + len(view)]
        view[: len(piece)] = piece
        self._pos += len(piece)
        return len(piece)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def open_sealed(raw: BinaryIO, sealed_size: int) -> io.BufferedReader | None:
    """A reader of the content of the encrypted file ``raw`` (its first segment checked
    already: a wrong key or a changed file fails here), or None when the file is plain."""
    raw.seek(0)
    header = read_header(raw)
    if header is None:
        raw.seek(0)
        return None
    reader = SealedReader(raw, header, sealed_size)
    reader.segment(0)
    return io.BufferedReader(reader, buffer_size=SEGMENT)
