"""Fixtures of the documents tests: shared cases, and files of every kind made in code (all fictional)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from vault.keys import key_scope


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path):
    """Each test stores its sealed files in its own directory, and runs exports inline (no thread)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "vault.storage.SealedFileSystemStorage", "OPTIONS": {"location": tmp_path / "files"}},
    }
    settings.PASSAGE_EXPORT_RUNNER = "inline"
    return tmp_path / "files"


@pytest.fixture(autouse=True)
def no_purge_timer_left_running():
    """A test that starts the thread runner's periodic purge (documents.tasks) leaves no timer behind."""
    from documents.tasks import periodic_purge

    yield
    periodic_purge.stop()


@pytest.fixture
def share(db):
    """Shares a case with a lawyer through the service the case page uses."""
    from documents.services import case_share

    def make(case, lawyer, *, by, until=None):
        with key_scope():
            return case_share(case=case, lawyer=lawyer, by=by, until=until)

    return make


@pytest.fixture
def shared_case(case, lawyer, caseworker, share):
    """The `case`, shared with the `lawyer` persona by its caseworker."""
    share(case, lawyer, by=caseworker)
    return case


@pytest.fixture
def upload(db):
    """Stores a document through the same checks and service as the upload page."""
    from documents.content import check_upload
    from documents.services import document_upload

    def make(case, user, data: bytes, *, title="Fictional passport scan", kind="identity", description=""):
        with key_scope():
            return document_upload(
                case=case, user=user, checked=check_upload(data), kind=kind, title=title, description=description
            )

    return make


def pdf_bytes(pages: int = 1, text: str = "") -> bytes:
    """A small real PDF (blank pages; with `text`, a content stream that shows it)."""
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(width=595, height=842)
        if text:
            font = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject("/Helvetica"),
                }
            )
            page[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
            )
            stream = DecodedStreamObject()
            stream.set_data(f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
            page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_javascript() -> bytes:
    """A PDF whose document-level JavaScript (the /Names /JavaScript tree) would run on opening."""
    from pypdf.generic import ArrayObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('fictional');")}
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(action)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes(size=(40, 30), colour=(200, 30, 30), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


GPS = {1: "N", 2: (55.0, 45.0, 21.6), 3: "E", 4: (37.0, 37.0, 3.6)}  # a fictional spot


def jpeg_with_gps(size=(60, 40)) -> bytes:
    """A JPEG carrying EXIF with a GPS position, a camera make and a comment, like a phone photo."""
    image = Image.new("RGB", size, (20, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "FictionalPhone Inc."  # Make
    exif[0x0131] = "SafeHouseCam 1.0"  # Software
    exif.get_ifd(0x8825).update(GPS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"Grelmstrasse 17")
    return buffer.getvalue()
