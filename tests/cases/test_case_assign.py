"""Coordinators assign and unassign caseworkers; the grant is what gives access."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent

pytestmark = pytest.mark.django_db


def test_the_coordinator_assigns_a_caseworker_who_then_sees_the_case(client_for, coordinator, other_caseworker, case):
    other = client_for(other_caseworker)
    assert other.get(f"/cases/{case.reference}/").status_code == 404
    response = client_for(coordinator).post(
        f"/cases/{case.reference}/assign/", {"caseworker": other_caseworker.username}
    )
    assert response.status_code == 302
    assert other.get(f"/cases/{case.reference}/").status_code == 200
    assert AccessEvent.objects.filter(action="case_assign", target=other_caseworker.username).exists()

    client_for(coordinator).post(f"/cases/{case.reference}/unassign/", {"caseworker": other_caseworker.username})
    assert other.get(f"/cases/{case.reference}/").status_code == 404


def test_only_caseworkers_can_be_assigned(client_for, coordinator, lawyer, case):
    response = client_for(coordinator).post(
        f"/cases/{case.reference}/assign/", {"caseworker": lawyer.username}, follow=True
    )
    assert "Choose a caseworker" in response.content.decode()
    assert client_for(lawyer).get(f"/cases/{case.reference}/").status_code == 404


@pytest.mark.parametrize("persona", ["caseworker", "other_caseworker", "lawyer", "administrator"])
def test_nobody_else_assigns(request, client_for, other_caseworker, case, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(f"/cases/{case.reference}/assign/", {"caseworker": other_caseworker.username})
    assert response.status_code == 403
    assert client_for(other_caseworker).get(f"/cases/{case.reference}/").status_code == 404


def test_assigning_needs_a_post(client_for, coordinator, case):
    assert client_for(coordinator).get(f"/cases/{case.reference}/assign/").status_code == 405
