"""The only upload handler Passage installs: files stay in memory, never on disk, within a size limit.

Django's defaults write any upload over 2.5 MB to a temporary file in clear;
a passport scan must never touch the disk unsealed. This handler keeps up to
PASSAGE_UPLOAD_MAX_BYTES per request in memory. Past that it stops keeping
the bytes (it reads and drops the rest, so the other fields of the form still
arrive) and hands the form an empty file marked `too_large`, which the form
turns into a clear error. A proxy in front should cap request bodies a
little above the limit too (README), so nobody can make the app read
gigabytes only to drop them.
"""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class MemoryOnlyUploadHandler(FileUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.kept_bytes = 0  # for the whole request: ten files of the limit each are not ten times the memory
        self.file = BytesIO()
        self.too_large = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.too_large:
            return None
        self.kept_bytes += len(raw_data)
        if self.kept_bytes > settings.PASSAGE_UPLOAD_MAX_BYTES:
            self.too_large = True
            self.file = BytesIO()  # drop what was kept of this file
            return None
        self.file.write(raw_data)
        return None  # no other handler sees the data

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        upload = InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
        upload.too_large = self.too_large
        return upload
