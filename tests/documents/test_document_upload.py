"""Uploading a document: the round trip, sealing on disk, every persona, bad files storing nothing, memory only."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, RequestFactory, encode_multipart

from audit.models import AccessEvent
from documents.models import Document
from tests.documents.conftest import jpeg_with_gps, pdf_bytes, pdf_with_javascript

pytestmark = pytest.mark.django_db


def url(case) -> str:
    return f"/cases/{case.reference}/documents/new/"


def form(data: bytes, name: str = "Zelimkhan Quuxfictional passport.pdf", **extra) -> dict:
    return {
        "file": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
        "kind": "identity",
        "title": "Passport, fictional",
        "description": "Scanned at the office.",
        **extra,
    }


def stored_files(files_in_tmp) -> list:
    return [path for path in files_in_tmp.rglob("*") if path.is_file()] if files_in_tmp.exists() else []


def test_what_is_downloaded_is_what_was_uploaded_and_what_is_on_disk_is_not(client_for, caseworker, case, files_in_tmp):
    data = pdf_bytes(pages=2, text="Quuxfictional court decision")
    client = client_for(caseworker)
    response = client.post(url(case), form(data))
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get(case=case)
    assert (document.number, document.pages, document.size) == (1, 2, len(data))

    downloaded = client.get(f"/cases/{case.reference}/documents/1/download/")
    assert downloaded.content == data

    [on_disk] = stored_files(files_in_tmp)
    sealed = on_disk.read_bytes()
    assert sealed != data
    assert b"%PDF" not in sealed and b"Quuxfictional" not in sealed
    # The stored name is random: nothing of the case, the person, the file name or the type.
    assert case.reference not in str(on_disk) and "Quux" not in str(on_disk) and not on_disk.suffix


def test_the_original_file_name_is_never_kept(client_for, caseworker, case):
    client_for(caseworker).post(url(case), form(pdf_bytes()))
    document = Document.objects.get()
    assert "Quuxfictional" not in document.stored_name
    assert document.title == "Passport, fictional"


def test_exhibit_numbers_follow_each_other_per_case(client_for, caseworker, case, open_case):
    other = open_case(caseworker)
    client = client_for(caseworker)
    for target in (case, case, other, case):
        assert client.post(url(target), form(pdf_bytes())).status_code == 302
    assert list(case.documents.values_list("number", flat=True)) == [1, 2, 3]
    assert list(other.documents.values_list("number", flat=True)) == [1]


def test_a_photo_is_stored_without_its_gps_position(client_for, caseworker, case):
    client = client_for(caseworker)
    assert client.post(url(case), form(jpeg_with_gps(), name="IMG_0001.JPG", kind="photo")).status_code == 302
    downloaded = client.get(f"/cases/{case.reference}/documents/1/download/")
    assert downloaded["Content-Type"] == "image/jpeg"
    assert b"FictionalPhone" not in downloaded.content and b"Exif" not in downloaded.content


def test_the_upload_is_logged_without_any_name(client_for, caseworker, case):
    client_for(caseworker).post(url(case), form(pdf_bytes()))
    event = AccessEvent.objects.get(action="document_upload")
    assert (event.case_reference, event.target, event.username) == (case.reference, "document 1", caseworker.username)
    assert "Quux" not in event.detail + event.target


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not a pdf at all", "is not one that can be read"),
        (b"<html><script>alert(1)</script></html>", "web page"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "SVG"),
        (b"MZ\x90\x00" + b"\x00" * 100, "program"),
        (b"PK\x03\x04" + b"\x00" * 100, "archive"),
        (pdf_with_javascript(), "scripts"),
    ],
    ids=["empty", "fake-pdf", "html", "svg", "exe", "zip", "pdf-javascript"],
)
def test_a_refused_file_gets_a_clear_message_and_nothing_is_stored(
    client_for, caseworker, case, files_in_tmp, data, message
):
    response = client_for(caseworker).post(url(case), form(data, name="passport.pdf"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(files_in_tmp) == []
    assert not AccessEvent.objects.filter(action="document_upload").exists()


def test_a_file_over_the_limit_gets_a_form_error_and_nothing_is_stored(
    client_for, caseworker, case, files_in_tmp, settings
):
    settings.PASSAGE_UPLOAD_MAX_BYTES = 2048
    response = client_for(caseworker).post(url(case), form(pdf_bytes() + b"%" * 4096))
    assert response.status_code == 200
    assert "larger than 2.0" in response.content.decode()
    assert not Document.objects.exists() and stored_files(files_in_tmp) == []


def test_a_form_without_a_title_stores_nothing(client_for, caseworker, case, files_in_tmp):
    response = client_for(caseworker).post(url(case), form(pdf_bytes(), title=""))
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert not Document.objects.exists() and stored_files(files_in_tmp) == []


def test_another_cases_travel_paper_cannot_be_chosen(client_for, caseworker, case, open_case):
    from cases.models import TravelPaper
    from vault.keys import key_scope

    other = open_case(caseworker)
    with key_scope():
        paper = TravelPaper(case=other, data_key_id=other.data_key_id, kind="visa")
        paper.save()
    response = client_for(caseworker).post(url(case), form(pdf_bytes(), travel_paper=paper.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["travel_paper"]
    assert not Document.objects.exists()


def test_a_document_can_name_the_travel_paper_it_proves(client_for, caseworker, case):
    from cases.models import TravelPaper
    from vault.keys import key_scope

    with key_scope():
        paper = TravelPaper(case=case, data_key_id=case.data_key_id, kind="international_passport")
        paper.save()
    assert client_for(caseworker).post(url(case), form(pdf_bytes(), travel_paper=paper.pk)).status_code == 302
    assert Document.objects.get().travel_paper == paper


def test_the_upload_form_shows_for_the_caseworker(client_for, caseworker, case):
    response = client_for(caseworker).get(url(case))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_caseworker", 404), ("coordinator", 403), ("lawyer", 403), ("other_lawyer", 403), ("administrator", 403)],
)
def test_nobody_else_can_upload(request, client_for, shared_case, files_in_tmp, persona, status):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(url(shared_case)).status_code == status
    assert client.post(url(shared_case), form(pdf_bytes())).status_code == status
    assert not Document.objects.exists() and stored_files(files_in_tmp) == []


def test_an_anonymous_visitor_is_sent_to_sign_in(client, case):
    response = client.post(url(case), form(pdf_bytes()))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Document.objects.exists()


def test_uploading_to_an_erased_case_is_refused(client_for, caseworker, case):
    from cases.services import case_erase
    from vault.keys import key_scope

    with key_scope():
        case_erase(case=case, by=caseworker)
    assert client_for(caseworker).post(url(case), form(pdf_bytes())).status_code == 404


def test_the_upload_page_runs_a_fixed_number_of_queries(
    client_for, caseworker, case, upload, django_assert_num_queries
):
    client = client_for(caseworker)
    client.get(url(case))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url(case))
    for _ in range(5):
        upload(case, caseworker, pdf_bytes())
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url(case))


# ---- the upload handler: memory only, within the limit ---------------------------------------------------


def parse(body: bytes, settings_upload_handlers) -> dict:
    request = RequestFactory().generic("POST", "/", body, content_type=MULTIPART_CONTENT)
    from django.core.files.uploadhandler import load_handler

    handlers = [load_handler(path, request) for path in settings_upload_handlers]
    parser = MultiPartParser(request.META, io.BytesIO(body), handlers)
    _post, files = parser.parse()
    return files


def test_the_only_upload_handler_keeps_files_in_memory(settings):
    assert settings.FILE_UPLOAD_HANDLERS == ["documents.uploads.MemoryOnlyUploadHandler"]


def test_a_file_larger_than_djangos_memory_default_still_never_touches_disk(settings):
    # Django's own handlers would spill anything over 2.5 MB to a temporary file in clear.
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("scan.pdf", b"%" * (3 * 1024 * 1024))})
    upload = parse(body, settings.FILE_UPLOAD_HANDLERS)["file"]
    assert isinstance(upload, InMemoryUploadedFile)
    assert not upload.too_large and upload.size == 3 * 1024 * 1024


def test_past_the_limit_the_handler_keeps_nothing_and_says_so(settings):
    settings.PASSAGE_UPLOAD_MAX_BYTES = 1024 * 1024
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("scan.pdf", b"%" * (2 * 1024 * 1024))})
    upload = parse(body, settings.FILE_UPLOAD_HANDLERS)["file"]
    assert upload.too_large
    assert upload.read() == b""


def test_the_limit_counts_every_file_of_a_request(settings):
    settings.PASSAGE_UPLOAD_MAX_BYTES = 1024 * 1024
    files = {f"file{n}": SimpleUploadedFile(f"f{n}.pdf", b"%" * (400 * 1024)) for n in range(3)}
    parsed = parse(encode_multipart(BOUNDARY, files), settings.FILE_UPLOAD_HANDLERS)
    assert [parsed[f"file{n}"].too_large for n in range(3)] == [False, False, True]
