"""Sealing a long stream (a backup) in chunks, with a key derived from a master key.

Format: MAGIC | master key id (16 ASCII) | salt (16) | chunks, each
length (4, big-endian) | nonce (12) | AES-256-GCM ciphertext. Each chunk's
associated data is the header, its index and whether it is the last, so
chunks cannot be reordered, dropped or the stream cut short unnoticed.
"""

from __future__ import annotations

import io
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vault.crypto import DecryptionError, master_key_id

MAGIC = b"PASSAGE-STREAM\x01"
CHUNK = 1024 * 1024
HEADER = len(MAGIC) + 16 + 16


def _stream_key(master_key: bytes, salt: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"passage stream v1 " + purpose).derive(
        master_key
    )


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", index, last)


class SealingWriter(io.RawIOBase):
    """A write-only file object: what is written goes out sealed to `target`."""

    def __init__(self, target, *, master_key: bytes, purpose: bytes) -> None:
        self.target = target
        salt = os.urandom(16)
        self.header = MAGIC + master_key_id(master_key).encode("ascii") + salt
        self.aead = AESGCM(_stream_key(master_key, salt, purpose))
        self.buffer = bytearray()
        self.index = 0
        target.write(self.header)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        nonce = os.urandom(12)
        sealed = self.aead.encrypt(nonce, chunk, _aad(self.header, self.index, last))
        self.target.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        self.index += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


def stream_master_key_id(source) -> str:
    header = source.read(HEADER)
    source.seek(0)
    if len(header) < HEADER or not header.startswith(MAGIC):
        raise DecryptionError("Not a Passage backup, or a damaged one.")
    return header[len(MAGIC) : len(MAGIC) + 16].decode("ascii")


class OpeningReader(io.RawIOBase):
    """A read-only file object over a sealed stream; any damage raises DecryptionError."""

    def __init__(self, source, *, master_key: bytes, purpose: bytes) -> None:
        self.source = source
        self.header = source.read(HEADER)
        if len(self.header) < HEADER or not self.header.startswith(MAGIC):
            raise DecryptionError("Not a Passage backup, or a damaged one.")
        salt = self.header[-16:]
        self.aead = AESGCM(_stream_key(master_key, salt, purpose))
        self.pending = b""
        self.index = 0
        self.finished = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        length_bytes = self.source.read(4)
        if len(length_bytes) < 4:
            raise DecryptionError("The backup is cut short.")
        (length,) = struct.unpack(">I", length_bytes)
        nonce = self.source.read(12)
        sealed = self.source.read(length)
        if len(sealed) < length:
            raise DecryptionError("The backup is cut short.")
        for last in (False, True):
            try:
                chunk = self.aead.decrypt(nonce, sealed, _aad(self.header, self.index, last))
            except InvalidTag:
                continue
            self.index += 1
            self.finished = last
            return chunk
        raise DecryptionError("The backup does not open with this master key, or it was altered.")

    def readinto(self, buffer) -> int:
        while not self.pending and not self.finished:
            self.pending = self._next_chunk()
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count
