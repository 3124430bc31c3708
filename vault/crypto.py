"""The cryptography of Passage, on AES-256-GCM from the `cryptography` package.

Pure functions, no Django: wrapping data keys with a master key, and sealing
values with a data key. Formats are versioned by their first byte.

Sealed value:  0x01 | data key id (16) | nonce (12) | ciphertext and tag
Wrapped key:   0x01 | nonce (12) | ciphertext and tag

The header of a sealed value is part of the associated data, as is the
context the caller names (table, field, row), so a ciphertext moved to
another row, field, table or case fails to open.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_V1 = b"\x01"
KEY_BYTES = 32
NONCE_BYTES = 12
SEAL_HEADER_BYTES = 1 + 16
# Values are padded to a multiple of this, so a ciphertext's length says little about a name's length.
PAD_BLOCK = 32


class VaultError(Exception):
    """Something sealed cannot be opened, or would be stored unsealed. Never silenced."""


class DecryptionError(VaultError):
    pass


class KeyDestroyed(VaultError):
    """The data key was destroyed: this case was erased."""


class UnknownMasterKey(VaultError):
    pass


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def master_key_id(master_key: bytes) -> str:
    """A short public name for a master key, derived from it, so the key itself is never stored."""
    return hmac.new(master_key, b"passage master key id v1", hashlib.sha256).hexdigest()[:16]


def _wrap_aad(data_key_id: uuid.UUID) -> bytes:
    return b"passage/data-key/v1/" + data_key_id.bytes


def wrap(master_key: bytes, data_key: bytes, *, data_key_id: uuid.UUID) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_V1 + nonce + AESGCM(master_key).encrypt(nonce, data_key, _wrap_aad(data_key_id))


def unwrap(master_key: bytes, wrapped: bytes, *, data_key_id: uuid.UUID) -> bytes:
    if wrapped[:1] != FORMAT_V1:
        raise DecryptionError("Unknown wrapped-key format.")
    nonce, body = wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]
    try:
        return AESGCM(master_key).decrypt(nonce, body, _wrap_aad(data_key_id))
    except InvalidTag:
        raise DecryptionError("A data key does not open with its master key.") from None


def _pad(data: bytes) -> bytes:
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise DecryptionError("Bad padding.")
    return end[:-1]


def seal(data_key: bytes, plaintext: bytes, *, data_key_id: uuid.UUID, context: bytes, pad: bool = True) -> bytes:
    header = FORMAT_V1 + data_key_id.bytes
    nonce = os.urandom(NONCE_BYTES)
    body = _pad(plaintext) if pad else plaintext
    return header + nonce + AESGCM(data_key).encrypt(nonce, body, header + context)


def sealed_key_id(blob: bytes) -> uuid.UUID:
    """Which data key a sealed value names in its header."""
    if blob[:1] != FORMAT_V1 or len(blob) < SEAL_HEADER_BYTES + NONCE_BYTES + 16:
        raise DecryptionError("Not a sealed value of a known format.")
    return uuid.UUID(bytes=bytes(blob[1:SEAL_HEADER_BYTES]))


def open_sealed(data_key: bytes, blob: bytes, *, context: bytes, pad: bool = True) -> bytes:
    sealed_key_id(blob)  # validates the format
    header = bytes(blob[:SEAL_HEADER_BYTES])
    nonce = bytes(blob[SEAL_HEADER_BYTES : SEAL_HEADER_BYTES + NONCE_BYTES])
    body = bytes(blob[SEAL_HEADER_BYTES + NONCE_BYTES :])
    try:
        plaintext = AESGCM(data_key).decrypt(nonce, body, header + context)
    except InvalidTag:
        raise DecryptionError("A sealed value does not open here: wrong key, wrong place, or altered.") from None
    return _unpad(plaintext) if pad else plaintext


def keyed_hash(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()
