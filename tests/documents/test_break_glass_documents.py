"""A coordinator under break-glass: may read the case's documents (marked in the log), never export its summary."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent
from tests.documents.conftest import pdf_bytes
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

REASON = "Hospital called about an emergency; the caseworker cannot be reached tonight."


@pytest.fixture
def glass_open(shared_case, caseworker, coordinator, upload):
    """The shared case with one document, opened to the coordinator by break-glass (through its service)."""
    from operations.services import open_break_glass

    upload(shared_case, caseworker, pdf_bytes(text="Fictional police report"), title="Quuxfictional court decision")
    with key_scope():
        open_break_glass(case=shared_case, coordinator=coordinator, reason=REASON)
    return shared_case


def test_the_coordinator_downloads_a_document_and_the_log_says_break_glass(client_for, coordinator, glass_open):
    response = client_for(coordinator).get(f"/cases/{glass_open.reference}/documents/1/download/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    event = AccessEvent.objects.get(action="document_download")
    assert (event.username, event.case_reference, event.target, event.detail) == (
        coordinator.username,
        glass_open.reference,
        "document 1",
        "break-glass",
    )


@pytest.mark.parametrize("persona", ["caseworker", "lawyer"])
def test_a_download_by_the_caseworker_or_the_lawyer_carries_no_break_glass_mark(
    request, client_for, coordinator, glass_open, persona
):
    response = client_for(request.getfixturevalue(persona)).get(f"/cases/{glass_open.reference}/documents/1/download/")
    assert response.status_code == 200
    assert AccessEvent.objects.get(action="document_download").detail == ""


@pytest.mark.parametrize("query", ["?lang=en", "?lang=ru&annex=1"])
def test_the_coordinator_gets_no_summary_even_under_break_glass(client_for, coordinator, glass_open, query):
    response = client_for(coordinator).get(f"/cases/{glass_open.reference}/summary.pdf{query}")
    assert response.status_code == 404 and not response.content.startswith(b"%PDF")
    refused = AccessEvent.objects.get(action="refused", username=coordinator.username)
    assert (refused.case_reference, refused.detail) == (glass_open.reference, "summary_export")
    assert not AccessEvent.objects.filter(action="summary_export").exists()


def test_the_case_page_under_break_glass_offers_documents_but_no_summary(client_for, coordinator, glass_open):
    body = client_for(coordinator).get(f"/cases/{glass_open.reference}/").content.decode()
    assert "Quuxfictional court decision" in body
    assert f"/cases/{glass_open.reference}/documents/1/download/" in body
    assert f"/cases/{glass_open.reference}/summary.pdf" not in body


def test_the_summary_service_refuses_a_break_glass_reader_too(coordinator, glass_open):
    from cases.access import get_case_for_user
    from documents.summary import SummaryError, summary_pdf

    with key_scope():
        access = get_case_for_user(coordinator, glass_open.reference, read_sealed=True, log=False)
        assert access.break_glass and access.can_read_sealed
        with pytest.raises(SummaryError):
            summary_pdf(access=access, user=coordinator, lang="en")
