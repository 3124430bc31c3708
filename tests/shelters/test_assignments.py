"""The assignment page: cases nobody is assigned to, each caseworker's load, and assigning."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessEvent
from cases.services import assigned_caseworkers, case_unassign, case_update
from tests.conftest import SEALED_VALUES
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

URL = "/dashboard/assignments/"


@pytest.fixture
def unassigned(open_case, caseworker, coordinator):
    case = open_case(caseworker, risk="urgent")
    case_unassign(case=case, caseworker=caseworker, by=coordinator)
    return case


def test_the_coordinator_sees_unassigned_cases_and_each_caseworkers_load(
    client_for, coordinator, caseworker, other_caseworker, open_case, unassigned
):
    open_case(caseworker, risk="urgent")
    open_case(caseworker)
    closed = open_case(caseworker)
    with key_scope():
        case_update(case=closed, user=caseworker, expected_version=1, changes={"status": "closed"})
    response = client_for(coordinator).get(URL)
    assert response.status_code == 200
    assert [case.reference for case in response.context["page"]] == [unassigned.reference]
    loads = {user.username: (user.open_cases, user.urgent_cases) for user in response.context["loads"]}
    assert loads == {caseworker.username: (2, 1), other_caseworker.username: (0, 0)}
    body = response.content.decode()
    for value in SEALED_VALUES.values():
        assert value not in body


def test_the_coordinator_assigns_from_the_page(client_for, coordinator, other_caseworker, unassigned):
    response = client_for(coordinator).post(
        URL, {"reference": unassigned.reference, "caseworker": other_caseworker.username}
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    assert assigned_caseworkers(unassigned) == [other_caseworker]
    assert AccessEvent.objects.filter(action="case_assign", target=other_caseworker.username).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"reference": "", "caseworker": "cw_other"},
        {"caseworker": "cw_other"},
        {"reference": "EV-2026-0001", "caseworker": "lawyer_shared"},
        {"reference": "EV-2026-0001", "caseworker": "nobody"},
        {"reference": "Zelimkhan Quuxfictional", "caseworker": "cw_other"},
    ],
)
def test_bad_input_assigns_nobody(client_for, coordinator, other_caseworker, lawyer, unassigned, data):
    response = client_for(coordinator).post(URL, data, follow=True)
    assert "Choose a caseworker" in response.content.decode()
    assert assigned_caseworkers(unassigned) == []


def test_an_unknown_case_is_a_404(client_for, coordinator, other_caseworker, unassigned):
    response = client_for(coordinator).post(URL, {"reference": "EV-1999-9999", "caseworker": "cw_other"})
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["caseworker", "other_caseworker", "lawyer", "other_lawyer", "administrator"])
def test_nobody_else_sees_or_assigns(request, client_for, other_caseworker, unassigned, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"reference": unassigned.reference, "caseworker": "cw_other"}).status_code == 403
    assert assigned_caseworkers(unassigned) == []


def test_anonymous_visitors_are_sent_to_sign_in(client_for):
    assert client_for(None).get(URL).status_code == 302


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context.captured_queries)


def test_the_page_runs_a_fixed_number_of_queries(client_for, coordinator, caseworker, make_user, open_case):
    from accounts.roles import Role

    client = client_for(coordinator)
    for _ in range(2):
        case_unassign(case=open_case(caseworker), caseworker=caseworker, by=coordinator)
    client.get(URL)
    few = count_queries(client)
    for number in range(5):
        make_user(f"cw_extra_{number}", Role.CASEWORKER)
    for _ in range(10):
        case_unassign(case=open_case(caseworker), caseworker=caseworker, by=coordinator)
    assert count_queries(client) == few
