"""Personal data at rest: AES-256-GCM with a key id in every ciphertext, and a keyed hash
(HMAC-SHA-256) for exact lookups and uniqueness without storing the plaintext.

Ciphertext format: ``<key id>$<base64url(nonce ‖ ciphertext ‖ tag)>``. The first key of
``SSCARD_DATA_KEYS`` encrypts; every listed key decrypts, so keys rotate without downtime.
Stored files use the same keys and key ids (``sscard.core.filecrypt``); ``manage.py
rotate_keys`` moves every value and file onto the first key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12
SEPARATOR = "$"


class DecryptionError(Exception):
    """A stored value cannot be decrypted: unknown key id or tampered ciphertext."""


@cache
def _raw_keys(raw: tuple[str, ...]) -> tuple[str, dict[str, bytes]]:
    if not raw:
        raise ImproperlyConfigured("SSCARD_DATA_KEYS must name at least one key")
    keys: dict[str, bytes] = {}
    for entry in raw:
        key_id, _, encoded = entry.partition(":")
        key = base64.b64decode(encoded)
        if not key_id or SEPARATOR in key_id or len(key_id) > 64 or len(key) != 32:
            raise ImproperlyConfigured("each SSCARD_DATA_KEYS entry is id:base64(32 bytes)")
        keys[key_id] = key
    return raw[0].partition(":")[0], keys


@cache
def _keys(raw: tuple[str, ...]) -> tuple[str, dict[str, AESGCM]]:
    current, keys = _raw_keys(raw)
    return current, {key_id: AESGCM(key) for key_id, key in keys.items()}


def _keyring() -> tuple[str, dict[str, AESGCM]]:
    return _keys(tuple(settings.SSCARD_DATA_KEYS))


def current_key_id() -> str:
    """The id of the key that encrypts (the first of ``SSCARD_DATA_KEYS``)."""
    return _keyring()[0]


def data_key(key_id: str) -> bytes:
    """The raw bytes of a listed key (stored files derive their own key from it)."""
    _, keys = _raw_keys(tuple(settings.SSCARD_DATA_KEYS))
    if key_id not in keys:
        raise DecryptionError("unknown key id")
    return keys[key_id]


def encrypt(plaintext: str, *, context: bytes = b"") -> str:
    current, keys = _keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys[current].encrypt(nonce, plaintext.encode(), context or None)
    return current + SEPARATOR + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str, *, context: bytes = b"") -> str:
    _, keys = _keyring()
    key_id, sep, body = token.partition(SEPARATOR)
    if not sep or key_id not in keys:
        raise DecryptionError("unknown key id")
    try:
        raw = base64.urlsafe_b64decode(body)
        plain = keys[key_id].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context or None)
    except Exception as exc:  # InvalidTag, binascii.Error: both mean "not ours"
        raise DecryptionError("ciphertext rejected") from exc
    return plain.decode()


def key_id_of(token: str) -> str:
    return token.partition(SEPARATOR)[0]


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash of ``value`` for lookups; ``purpose`` keeps indexes of different fields
    apart, so equal values in two columns do not share a hash."""
    key = hmac.new(settings.SSCARD_INDEX_KEY.encode(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
