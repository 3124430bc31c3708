"""The dashboard and the donor report over the demo data: scanned for every sealed value the demo holds
(names, stories, notes, expense descriptions, safe-house addresses). None may reach a coordinator's
dashboard or a donor; the donor report names no case either."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from pypdf import PdfReader

from cases.models import Case
from vault.keys import key_scope
from vault.models import SealedModel

pytestmark = pytest.mark.django_db


def sealed_demo_values() -> set[str]:
    """Every sealed text value of the demo data, opened, longer than a few characters."""
    values = set()
    with key_scope():
        for model in apps.get_models():
            if not issubclass(model, SealedModel):
                continue
            for row in model.objects.all():
                for name in getattr(model, "SEALED_FIELDS", ()):
                    value = getattr(row, name)
                    if isinstance(value, str) and len(value.strip()) >= 6:
                        values.add(value.strip())
    return values


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    settings.PASSAGE_DASHBOARD_CACHE_SECONDS = 0
    from shelters.models import Shelter

    # A case's sealed current location may name a town that is also a safe house's open city: not a leak.
    open_cities = set(Shelter.objects.values_list("city", flat=True))
    values = sealed_demo_values() - open_cities
    assert len(values) > 100  # the scan would prove nothing over an empty demo
    return values


def leaks(text: str, values: set[str]) -> list[str]:
    return sorted(value for value in values if value in text)


def test_the_dashboard_and_donor_report_show_no_sealed_demo_value(client_for, make_user, demo):
    """One test, because seeding the demo is the slow part."""
    from accounts.roles import Role

    client = client_for(make_user("scan_coordinator", Role.COORDINATOR))
    for url in ("/dashboard/", "/dashboard/assignments/", "/shelters/", "/cases/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaks(response.content.decode(), demo) == [], url
    # The donor report: no sealed value, and no reference either.
    period = {"date_from": "2024-01-01", "date_to": "2026-12-31"}
    csv_text = client.get("/dashboard/donor-report.csv", period).content.decode()
    pdf = client.get("/dashboard/donor-report.pdf", period).content
    reader = PdfReader(io.BytesIO(pdf))
    pdf_text = "\n".join(page.extract_text() for page in reader.pages) + str(reader.metadata)
    references = set(Case.objects.values_list("reference", flat=True))
    for text in (csv_text, pdf_text):
        assert leaks(text, demo) == []
        assert [reference for reference in references if reference in text] == []
