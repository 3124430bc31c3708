"""The documents-and-sharing section of the case page, per persona, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.documents.conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def page(client, case) -> str:
    response = client.get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def with_document(shared_case, caseworker, upload):
    upload(shared_case, caseworker, pdf_bytes(), title="Quuxfictional court decision")
    return shared_case


def test_the_caseworker_sees_titles_downloads_upload_summary_and_sharing(client_for, caseworker, lawyer, with_document):
    body = page(client_for(caseworker), with_document)
    assert "Quuxfictional court decision" in body
    assert f"/cases/{with_document.reference}/documents/1/download/" in body
    assert f"/cases/{with_document.reference}/documents/new/" in body
    assert f"/cases/{with_document.reference}/summary.pdf" in body
    assert "Share with a lawyer" in body and lawyer.username in body


def test_the_lawyer_sees_titles_downloads_and_the_summary_but_cannot_change_anything(client_for, lawyer, with_document):
    body = page(client_for(lawyer), with_document)
    assert "Quuxfictional court decision" in body
    assert f"/cases/{with_document.reference}/summary.pdf" in body
    assert "/documents/new/" not in body and "/remove/" not in body and "Share with a lawyer" not in body


def test_the_coordinator_sees_how_many_documents_but_no_title_and_may_share(client_for, coordinator, with_document):
    body = page(client_for(coordinator), with_document)
    assert "Quuxfictional" not in body
    assert "1 document." in body
    assert "/download/" not in body and "summary.pdf" not in body
    assert "Share with a lawyer" in body


def test_the_section_runs_a_fixed_number_of_queries(client_for, caseworker, make_user, shared_case, upload, share):
    from accounts.roles import Role

    client = client_for(caseworker)
    page(client, shared_case)
    with CaptureQueriesContext(connection) as few:
        page(client, shared_case)
    for number in range(3):
        upload(shared_case, caseworker, pdf_bytes(), title=f"Exhibit {number}")
        share(shared_case, make_user(f"lawyer_{number}", Role.LAWYER), by=caseworker)
    with CaptureQueriesContext(connection) as many:
        page(client, shared_case)
    assert len(many.captured_queries) == len(few.captured_queries)
