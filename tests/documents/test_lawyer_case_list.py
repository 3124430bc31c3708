"""A lawyer's start page, /cases/: the cases shared with them, with their stage and the date shared."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessEvent
from tests.conftest import SEALED_VALUES
from vault.keys import key_scope

pytestmark = pytest.mark.django_db


def references(response) -> list[str]:
    return [case.reference for case in response.context["page"].object_list]


def test_the_lawyer_sees_the_cases_shared_with_them_with_stage_and_date(
    client_for, lawyer, caseworker, open_case, share
):
    shared = open_case(caseworker)
    open_case(caseworker)  # not shared
    until = timezone.localdate() + datetime.timedelta(days=10)
    share(shared, lawyer, by=caseworker, until=until)
    with key_scope():
        stage = shared.stages.get(kind="travel_documents")
        stage.status = "in_progress"
        stage.save()
    response = client_for(lawyer).get("/cases/")
    assert response.status_code == 200
    assert references(response) == [shared.reference]
    body = response.content.decode()
    assert "Cases shared with you" in body
    assert "Travel documents" in body
    assert timezone.localdate().isoformat() in body and until.isoformat() in body
    assert SEALED_VALUES["chosen_name"] in body  # a lawyer may read the names of their cases
    assert f'name="cases" value="{shared.reference}"' in body  # chosen for the batch export
    assert AccessEvent.objects.filter(username=lawyer.username, action="case_list").exists()


def test_cases_unshared_or_past_their_date_drop_off_the_list(client_for, lawyer, caseworker, open_case, share):
    from documents.services import case_unshare

    ended, expired, kept = open_case(caseworker), open_case(caseworker), open_case(caseworker)
    share(ended, lawyer, by=caseworker)
    old = share(expired, lawyer, by=caseworker, until=timezone.localdate())
    share(kept, lawyer, by=caseworker)
    with key_scope():
        case_unshare(case=ended, lawyer=lawyer, by=caseworker)
    old.until = timezone.localdate() - datetime.timedelta(days=1)
    old.save()
    assert references(client_for(lawyer).get("/cases/")) == [kept.reference]


def test_another_lawyer_sees_none_of_them(client_for, other_lawyer, shared_case):
    response = client_for(other_lawyer).get("/cases/")
    assert references(response) == []
    assert "No case is shared with you" in response.content.decode()


def test_caseworkers_and_coordinators_keep_their_own_list(client_for, caseworker, coordinator, shared_case):
    for user in (caseworker, coordinator):
        response = client_for(user).get("/cases/")
        assert response.templates[0].name == "cases/case_list.html"
        assert shared_case.reference in references(response)


def test_the_list_runs_a_fixed_number_of_queries(client_for, lawyer, caseworker, open_case, share):
    share(open_case(caseworker), lawyer, by=caseworker)
    client = client_for(lawyer)
    client.get("/cases/")
    with CaptureQueriesContext(connection) as few:
        client.get("/cases/")
    for _ in range(6):
        share(open_case(caseworker), lawyer, by=caseworker)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/cases/")
    assert len(references(response)) == 7
    assert len(many.captured_queries) == len(few.captured_queries)
