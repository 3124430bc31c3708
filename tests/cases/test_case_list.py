"""The case list: each user's own cases, filters, search, pages, and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import SEALED_VALUES

pytestmark = pytest.mark.django_db


def references(response) -> set[str]:
    return {case.reference for case in response.context["page"].object_list}


def test_a_caseworker_sees_only_their_cases(client_for, caseworker, other_caseworker, open_case):
    mine = open_case(caseworker)
    theirs = open_case(other_caseworker)
    response = client_for(caseworker).get("/cases/")
    assert response.status_code == 200
    assert references(response) == {mine.reference}
    assert SEALED_VALUES["chosen_name"] in response.content.decode()
    assert theirs.reference not in response.content.decode()


def test_the_coordinator_sees_all_cases_by_reference_only(
    client_for, coordinator, caseworker, other_caseworker, open_case
):
    cases = {open_case(caseworker).reference, open_case(other_caseworker).reference}
    response = client_for(coordinator).get("/cases/")
    assert references(response) == cases
    body = response.content.decode()
    for value in SEALED_VALUES.values():
        assert value not in body
    assert caseworker.username in body


def test_a_lawyer_sees_no_case_until_one_is_shared(client_for, lawyer, case):
    assert references(client_for(lawyer).get("/cases/")) == set()


def test_administrators_and_strangers_are_kept_out(client_for, administrator, client, case):
    assert client_for(administrator).get("/cases/").status_code == 403
    assert client.get("/cases/").status_code == 302


def test_filters_by_status_and_risk(client_for, caseworker, open_case):
    urgent = open_case(caseworker, risk="urgent")
    open_case(caseworker, risk="low")
    client = client_for(caseworker)
    assert references(client.get("/cases/?risk=urgent")) == {urgent.reference}
    assert references(client.get("/cases/?status=closed")) == set()


def test_a_bad_filter_is_ignored_with_a_message_not_an_error(client_for, caseworker, case):
    response = client_for(caseworker).get("/cases/?risk=apocalyptic&page=zzz")
    assert response.status_code == 200
    assert response.context["filters"].errors


def test_search_is_a_post_so_names_stay_out_of_urls(client_for, caseworker, case):
    client = client_for(caseworker)
    response = client.post("/cases/", {"q": SEALED_VALUES["legal_name"]})
    assert references(response) == {case.reference}
    assert client.get("/cases/", {"q": SEALED_VALUES["legal_name"]}).context["searched"] is False


def test_an_empty_search_says_what_is_wrong(client_for, caseworker, case):
    response = client_for(caseworker).post("/cases/", {"q": "   "})
    assert response.status_code == 200
    assert response.context["search"].errors


def test_pages_of_fifty(client_for, caseworker, open_case):
    for _ in range(51):
        open_case(caseworker, legal_name="Paged Fictional")
    client = client_for(caseworker)
    assert len(references(client.get("/cases/"))) == 50
    assert len(references(client.get("/cases/?page=2"))) == 1


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get("/cases/").status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("persona", ["caseworker", "coordinator"])
def test_the_number_of_queries_does_not_grow_with_the_cases(request, client_for, caseworker, open_case, persona):
    client = client_for(request.getfixturevalue(persona))
    for _ in range(5):
        open_case(caseworker)
    client.get("/cases/")
    with_five = count_queries(client)
    for _ in range(45):
        open_case(caseworker)
    assert count_queries(client) == with_five
