"""The case page, for every persona."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent
from tests.conftest import SEALED_VALUES

pytestmark = pytest.mark.django_db


def url(case) -> str:
    return f"/cases/{case.reference}/"


def assert_no_sealed_value(response):
    body = response.content.decode()
    for value in SEALED_VALUES.values():
        assert value not in body
    assert "1990-05-17" not in body


def test_the_assigned_caseworker_reads_everything(client_for, caseworker, case):
    response = client_for(caseworker).get(url(case))
    assert response.status_code == 200
    body = response.content.decode()
    for value in SEALED_VALUES.values():
        assert value in body or value.replace("+", "&#x2B;") in body


def test_another_caseworker_gets_404_as_for_a_missing_case(client_for, other_caseworker, case):
    client = client_for(other_caseworker)
    hidden = client.get(url(case))
    missing = client.get("/cases/EV-1999-9999/")
    assert hidden.status_code == missing.status_code == 404
    assert [t.name for t in hidden.templates] == [t.name for t in missing.templates]
    assert b"Not found" in hidden.content


def test_the_coordinator_sees_the_case_without_any_sealed_value(client_for, coordinator, case):
    response = client_for(coordinator).get(url(case))
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert_no_sealed_value(response)


def test_a_lawyer_it_is_not_shared_with_gets_404(client_for, other_lawyer, case):
    assert client_for(other_lawyer).get(url(case)).status_code == 404


def test_an_administrator_cannot_read_cases(client_for, administrator, case):
    response = client_for(administrator).get(url(case))
    assert response.status_code == 403
    assert_no_sealed_value(response)


def test_an_anonymous_visitor_is_sent_to_sign_in(client, case):
    response = client.get(url(case))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_each_read_and_each_refusal_is_logged(client_for, caseworker, other_caseworker, case):
    client_for(caseworker).get(url(case))
    client_for(other_caseworker).get(url(case))
    events = list(AccessEvent.objects.filter(case_reference=case.reference).order_by("id"))
    kinds = [(event.username, event.action) for event in events]
    assert (caseworker.username, "case_view") in kinds
    assert (other_caseworker.username, "refused") in kinds
    assert {event.address for event in events if event.action in ("case_view", "refused")} == {"127.0.0.1"}


def test_the_page_runs_a_fixed_number_of_queries(client_for, caseworker, case, django_assert_max_num_queries):
    client = client_for(caseworker)
    client.get(url(case))
    # 16, 3 for stages and money (stages, travel papers, expenses), 2 for the safe house (stays, requests).
    with django_assert_max_num_queries(22):  # each section of the page reads its own rows, once
        assert client.get(url(case)).status_code == 200


def test_a_name_typed_into_the_url_is_not_written_to_the_log(client_for, other_caseworker, case):
    response = client_for(other_caseworker).get("/cases/Zelimkhan%20Quuxfictional/")
    assert response.status_code == 404
    refused = AccessEvent.objects.filter(action="refused").get()
    assert refused.case_reference == ""
    assert "Quuxfictional" not in refused.detail + refused.target


def page_queries(client, case) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url(case)).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("persona", ["caseworker", "coordinator"])
def test_the_page_runs_as_many_queries_with_5_cases_as_with_50(request, client_for, caseworker, open_case, persona):
    client = client_for(request.getfixturevalue(persona))
    cases = [open_case(caseworker) for _ in range(5)]
    client.get(url(cases[0]))
    with_five = page_queries(client, cases[0])
    cases += [open_case(caseworker) for _ in range(45)]
    assert page_queries(client, cases[0]) == with_five
    assert page_queries(client, cases[-1]) == with_five
