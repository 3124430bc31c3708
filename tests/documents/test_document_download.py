"""Downloading a document: through the access helper, logged, as an attachment named by reference and number."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent
from tests.documents.conftest import jpeg_with_gps, pdf_bytes

pytestmark = pytest.mark.django_db


def url(case, number: int = 1) -> str:
    return f"/cases/{case.reference}/documents/{number}/download/"


@pytest.fixture
def document(shared_case, caseworker, upload):
    return upload(shared_case, caseworker, pdf_bytes(text="Fictional police report"))


@pytest.mark.parametrize("persona", ["caseworker", "lawyer"])
def test_the_caseworker_and_the_lawyer_download_it_as_an_attachment(
    request, client_for, shared_case, document, persona
):
    response = client_for(request.getfixturevalue(persona)).get(url(shared_case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{shared_case.reference}-1.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF")


def test_an_image_gets_its_own_extension(client_for, caseworker, case, upload):
    upload(case, caseworker, jpeg_with_gps(), kind="photo")
    response = client_for(caseworker).get(url(case))
    assert response["Content-Disposition"] == f'attachment; filename="{case.reference}-1.jpg"'


def test_each_download_is_logged_with_the_document_number(client_for, lawyer, shared_case, document):
    client_for(lawyer).get(url(shared_case))
    event = AccessEvent.objects.filter(action="document_download").get()
    assert (event.username, event.case_reference, event.target) == (
        lawyer.username,
        shared_case.reference,
        "document 1",
    )


@pytest.mark.parametrize("persona", ["other_caseworker", "coordinator", "other_lawyer"])
def test_others_get_404_and_the_refusal_is_logged(request, client_for, shared_case, document, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(url(shared_case))
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    refused = AccessEvent.objects.get(username=user.username, action="refused")
    assert (refused.case_reference, refused.detail) == (shared_case.reference, "document_download")
    assert not AccessEvent.objects.filter(action="document_download").exists()


def test_an_administrator_is_refused(client_for, administrator, shared_case, document):
    assert client_for(administrator).get(url(shared_case)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, shared_case, document):
    response = client.get(url(shared_case))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_missing_number_is_404_like_a_hidden_case(client_for, caseworker, shared_case, document):
    client = client_for(caseworker)
    assert client.get(url(shared_case, 99)).status_code == 404
    assert client.get("/cases/EV-1999-9999/documents/1/download/").status_code == 404


def test_a_document_of_another_case_cannot_be_reached_through_this_one(client_for, caseworker, case, open_case, upload):
    other = open_case(caseworker)
    upload(other, caseworker, pdf_bytes(text="Other case"))
    assert client_for(caseworker).get(url(case)).status_code == 404


def test_a_removed_document_is_gone_but_its_number_is_never_reused(
    client_for, caseworker, shared_case, document, upload, files_in_tmp, django_capture_on_commit_callbacks
):
    client = client_for(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{shared_case.reference}/documents/1/remove/")
    assert response.status_code == 302
    assert client.get(url(shared_case)).status_code == 404
    assert [path for path in files_in_tmp.rglob("*") if path.is_file()] == []
    again = upload(shared_case, caseworker, pdf_bytes())
    assert again.number == 2
    event = AccessEvent.objects.get(detail="document removed")
    assert (event.action, event.target) == ("case_edit", "document 1")


@pytest.mark.parametrize(("persona", "status"), [("lawyer", 403), ("other_caseworker", 404), ("coordinator", 403)])
def test_only_the_caseworker_removes_documents(request, client_for, shared_case, document, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(f"/cases/{shared_case.reference}/documents/1/remove/")
    assert response.status_code == status
    assert shared_case.documents.current().count() == 1


def test_removing_asks_to_confirm_first_and_removes_nothing_on_get(client_for, caseworker, shared_case, document):
    response = client_for(caseworker).get(f"/cases/{shared_case.reference}/documents/1/remove/")
    assert response.status_code == 200
    assert "Fictional passport scan" in response.content.decode() and "Remove the document" in response.content.decode()
    assert shared_case.documents.current().count() == 1


def test_the_download_runs_a_fixed_number_of_queries(client_for, caseworker, shared_case, document, upload):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(caseworker)
    client.get(url(shared_case))
    with CaptureQueriesContext(connection) as few:
        client.get(url(shared_case))
    for _ in range(4):
        upload(shared_case, caseworker, pdf_bytes())
    with CaptureQueriesContext(connection) as many:
        client.get(url(shared_case))
    assert len(many.captured_queries) == len(few.captured_queries)
