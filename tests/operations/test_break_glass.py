"""Break-glass: a coordinator reads one case's sealed fields for one hour, with a reason everyone can see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from operations.models import BreakGlass
from tests.conftest import SEALED_VALUES

pytestmark = pytest.mark.django_db

REASON = "Hospital called about an emergency; the caseworker cannot be reached tonight."


def url(case) -> str:
    return f"/operations/break-glass/{case.reference}/"


def test_a_coordinator_breaks_the_glass_with_a_reason_and_reads_the_case(client_for, coordinator, case):
    client = client_for(coordinator)
    assert SEALED_VALUES["legal_name"] not in client.get(f"/cases/{case.reference}/").content.decode()
    assert client.get(url(case)).status_code == 200
    response = client.post(url(case), {"reason": REASON})
    assert response.status_code == 302
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert SEALED_VALUES["legal_name"] in page
    assert SEALED_VALUES["narrative"] in page
    assert "Break-glass" in page
    glass = AccessEvent.objects.get(action="break_glass")
    assert glass.detail == REASON and glass.username == coordinator.username
    reads = AccessEvent.objects.filter(action="case_view", username=coordinator.username, detail="break-glass")
    assert reads.count() == 1


def test_the_caseworkers_see_that_it_happened_and_why(client_for, coordinator, caseworker, case):
    client_for(coordinator).post(url(case), {"reason": REASON})
    page = client_for(caseworker).get(f"/cases/{case.reference}/").content.decode()
    assert REASON in page
    assert coordinator.username in page


def test_it_lasts_one_hour(client_for, coordinator, case):
    client = client_for(coordinator)
    client.post(url(case), {"reason": REASON})
    glass = BreakGlass.objects.get()
    assert timedelta(minutes=59) < glass.expires_at - glass.opened_at <= timedelta(minutes=60)
    BreakGlass.objects.filter(pk=glass.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert SEALED_VALUES["legal_name"] not in client.get(f"/cases/{case.reference}/").content.decode()


def test_it_opens_one_case_only(client_for, coordinator, open_case, caseworker, case):
    other = open_case(caseworker)
    client = client_for(coordinator)
    client.post(url(case), {"reason": REASON})
    assert SEALED_VALUES["legal_name"] not in client.get(f"/cases/{other.reference}/").content.decode()


def test_it_opens_for_that_coordinator_only(client_for, coordinator, make_user, case):
    from accounts.roles import Role

    colleague = make_user("coord2", Role.COORDINATOR)
    client_for(coordinator).post(url(case), {"reason": REASON})
    assert SEALED_VALUES["legal_name"] not in client_for(colleague).get(f"/cases/{case.reference}/").content.decode()


def test_a_short_reason_is_refused_and_nothing_opens(client_for, coordinator, case):
    client = client_for(coordinator)
    response = client.post(url(case), {"reason": "need it"})
    assert response.status_code == 200
    assert "at least 20 characters" in response.content.decode()
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker", 403), ("other_caseworker", 403), ("lawyer", 403), ("administrator", 403), (None, 302)],
)
def test_nobody_but_coordinators_breaks_the_glass(request, client_for, case, persona, status):
    client = client_for(request.getfixturevalue(persona) if persona else None)
    assert client.post(url(case), {"reason": REASON}).status_code == status
    assert not BreakGlass.objects.exists()


def test_an_unknown_case_is_404(client_for, coordinator):
    assert client_for(coordinator).post("/operations/break-glass/EV-1999-0001/", {"reason": REASON}).status_code == 404
