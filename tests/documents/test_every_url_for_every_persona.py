"""Every URL of the documents app, for every persona: who gets it, who gets 404, 403 or the sign-in page."""

from __future__ import annotations

import pytest

from documents.services import export_run, export_start
from tests.documents.conftest import pdf_bytes

pytestmark = pytest.mark.django_db

PERSONAS = ["caseworker", "other_caseworker", "coordinator", "lawyer", "other_lawyer", "administrator", None]

# (method, url template, data, expected status per persona in the order of PERSONAS)
MATRIX = {
    "upload form": ("get", "/cases/{ref}/documents/new/", None, [200, 404, 403, 403, 403, 403, 302]),
    "download": ("get", "/cases/{ref}/documents/1/download/", None, [200, 404, 404, 200, 404, 403, 302]),
    "remove form": ("get", "/cases/{ref}/documents/1/remove/", None, [200, 404, 403, 403, 403, 403, 302]),
    "remove": ("post", "/cases/{ref}/documents/1/remove/", {}, [302, 404, 403, 403, 403, 403, 302]),
    "share form": ("get", "/cases/{ref}/share/", None, [200, 404, 200, 403, 403, 403, 302]),
    "share": ("post", "/cases/{ref}/share/", {"lawyer": "lawyer_other"}, [302, 404, 302, 403, 403, 403, 302]),
    "unshare": ("post", "/cases/{ref}/unshare/", {"lawyer": "lawyer_shared"}, [302, 404, 302, 403, 403, 403, 302]),
    "summary": ("get", "/cases/{ref}/summary.pdf?lang=en", None, [200, 404, 404, 200, 404, 403, 302]),
    "export status": ("get", "/cases/exports/{job}/", None, [403, 403, 403, 200, 404, 403, 302]),
    "export download": ("post", "/cases/exports/{job}/download/", {}, [403, 403, 403, 200, 404, 403, 302]),
    "export start": ("post", "/cases/exports/", {"cases": "{ref}", "lang": "en"}, [403, 403, 403, 302, 302, 403, 302]),
}


@pytest.fixture
def world(shared_case, caseworker, lawyer, other_lawyer, upload):
    upload(shared_case, caseworker, pdf_bytes())
    job = export_start(user=lawyer, references=[shared_case.reference], lang="en")  # made when needed
    return {"ref": shared_case.reference, "job": job.pk}


@pytest.mark.parametrize("name", list(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS, ids=[persona or "anonymous" for persona in PERSONAS])
def test_each_url_answers_each_persona_as_it_should(request, client_for, world, name, persona):
    method, template, data, expected = MATRIX[name]
    if name == "export download":
        export_run(job_id=world["job"])
    user = request.getfixturevalue(persona) if persona else None
    client = client_for(user)
    target = template.format(**world)
    if data is not None:
        data = {key: value.format(**world) for key, value in data.items()}
    response = getattr(client, method)(target, data) if method == "post" else client.get(target)
    assert response.status_code == expected[PERSONAS.index(persona)]
    if persona is None:
        assert response["Location"].startswith("/accounts/login/")
