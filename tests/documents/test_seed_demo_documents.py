"""seed_demo adds fictional shares and documents: the demo lawyer has cases to read and export."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from documents.models import CaseShare, Document

pytestmark = pytest.mark.django_db


def test_the_demo_lawyer_gets_shared_cases_and_documents_and_a_second_run_adds_nothing(settings, client_for):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert CaseShare.objects.filter(lawyer__username="lawyer").count() == 3
    assert sorted(Document.objects.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
    from accounts.models import User

    response = client_for(User.objects.get(username="lawyer")).get("/cases/")
    assert len(response.context["page"].object_list) == 3
