"""File storage that seals every file with the data key of its case.

Files arrive as `SealedContent` (which names the data key); anything else is
refused, so no upload can be stored in clear by mistake. The associated data
binds a file to its storage name. There are no URLs: files are read only
through the documents' access helper.
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

from vault import crypto
from vault.keys import open_data_key


class SealedContent(ContentFile):
    def __init__(self, content: bytes, *, data_key_id: uuid.UUID, name: str | None = None) -> None:
        super().__init__(content, name=name)
        self.data_key_id = data_key_id


class SealedStorageMixin:
    """Seals on save and opens on read; combine with any Django storage (local disk, S3)."""

    @staticmethod
    def _context(name: str) -> bytes:
        return f"passage/v1|file|{name}".encode()

    def _save(self, name: str, content: File) -> str:
        if not isinstance(content, SealedContent):
            raise crypto.VaultError("Sealed storage refuses a file that does not name its case's data key.")
        content.seek(0)
        key = open_data_key(content.data_key_id)
        blob = crypto.seal(key, content.read(), data_key_id=content.data_key_id, context=self._context(name), pad=False)
        saved = super()._save(name, ContentFile(blob))
        if saved != name:  # the name is bound into the ciphertext, so it must not change
            super().delete(saved)
            raise crypto.VaultError("The storage renamed a sealed file; refusing to keep it.")
        return saved

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode != "rb":
            raise crypto.VaultError("Sealed files are opened for reading only.")
        return ContentFile(self.read_sealed(name), name=name)

    def read_sealed(self, name: str, *, data_key_id: uuid.UUID | None = None) -> bytes:
        """The clear bytes of a stored file; with data_key_id, also checks it belongs to that case."""
        with super()._open(name, "rb") as handle:
            blob = handle.read()
        key_id = crypto.sealed_key_id(blob)
        if data_key_id is not None and key_id != data_key_id:
            raise crypto.DecryptionError("This file was sealed for another case.")
        return crypto.open_sealed(open_data_key(key_id), blob, context=self._context(name), pad=False)

    def url(self, name: str) -> str:
        raise crypto.VaultError("Sealed files have no URL.")


class SealedFileSystemStorage(SealedStorageMixin, FileSystemStorage):
    pass
