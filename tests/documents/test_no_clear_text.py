"""After documents are uploaded, shared and exported, neither the database nor the disk holds them in clear."""

from __future__ import annotations

import hashlib

import pytest

from tests.documents.conftest import pdf_bytes
from tests.vault.test_no_clear_text import every_stored_value

pytestmark = pytest.mark.django_db

TITLE = "Quuxfictional-Exhibit-Title"
DESCRIPTION = "Vorbl-checkpoint-fictional-description"
CONTENT_MARK = "Zelimkhan-Quuxfictional-scan"


def test_no_table_and_no_stored_file_holds_a_document_in_clear(
    client_for, caseworker, lawyer, shared_case, upload, files_in_tmp, django_capture_on_commit_callbacks
):
    data = pdf_bytes(text=CONTENT_MARK)
    document = upload(shared_case, caseworker, data, title=TITLE, description=DESCRIPTION)
    lawyer_client = client_for(lawyer)
    lawyer_client.get(f"/cases/{shared_case.reference}/documents/1/download/")
    lawyer_client.get(f"/cases/{shared_case.reference}/summary.pdf?lang=en&annex=1")
    with django_capture_on_commit_callbacks(execute=True):
        lawyer_client.post("/cases/exports/", {"cases": [shared_case.reference], "lang": "en"})

    digest = hashlib.sha256(data).hexdigest()
    needles = [TITLE.encode(), DESCRIPTION.encode(), CONTENT_MARK.encode(), digest.encode(), b"%PDF"]
    leaks = [(table, needle) for table, value in every_stored_value() for needle in needles if needle in value]
    assert leaks == []
    assert document.sha256 == digest  # it is kept, sealed

    stored = [path for path in files_in_tmp.rglob("*") if path.is_file()]
    assert len(stored) == 2  # the document and the export's ZIP
    for path in stored:
        content = path.read_bytes()
        assert not any(needle in content for needle in (CONTENT_MARK.encode(), b"%PDF", b"PK\x03\x04"))
