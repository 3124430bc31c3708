"""Closing or erasing a case lets go of what it holds in the safe houses: a bed tonight, a stay planned
for later, a request still waiting. Otherwise the bed stays taken for ever and the house cannot close."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from cases.models import Case
from cases.services import CaseError, case_assign, case_erase
from shelters.models import Placement, PlacementRequest, Shelter
from shelters.services import place_request_create
from tests.cases.test_case_edit import form_data
from tests.shelters.conftest import days

pytestmark = pytest.mark.django_db


@pytest.fixture
def staying(case, shelter, place, today):
    return place(case, shelter, today - days(5))


def close(client, case):
    return client.post(f"/cases/{case.reference}/edit/", form_data(case, status="closed"), follow=True)


def occupied_tonight(shelter) -> int:
    return Shelter.objects.with_occupancy(on=timezone.localdate()).get(pk=shelter.pk).occupied


def test_closing_a_case_ends_its_stay_today_and_frees_the_bed(client_for, caseworker, case, shelter, staying, today):
    assert occupied_tonight(shelter) == 1
    response = close(client_for(caseworker), case)
    assert response.status_code == 200
    assert "no longer holds a bed" in response.content.decode()
    staying.refresh_from_db()
    assert staying.ends_on == today
    assert occupied_tonight(shelter) == 0
    assert AccessEvent.objects.filter(action="placement", case_reference=case.reference, detail__contains="closed")


def test_closing_cancels_a_planned_stay_and_withdraws_a_waiting_request(
    client_for, caseworker, open_case, shelter, place, today
):
    planned = open_case(caseworker)
    later = place(planned, shelter, today + days(10), today + days(20))
    asking = open_case(caseworker)
    waiting = place_request_create(case=asking, wanted_from=today, note="", by=caseworker)
    client = client_for(caseworker)
    close(client, planned)
    close(client, asking)
    later.refresh_from_db()
    assert later.ends_on == later.starts_on  # cancelled: it never takes a night
    waiting.refresh_from_db()
    assert waiting.status == PlacementRequest.Status.WITHDRAWN


def test_a_stay_that_is_over_is_left_as_it_was(client_for, caseworker, case, shelter, place, today):
    over = place(case, shelter, today - days(30), today - days(10))
    close(client_for(caseworker), case)
    over.refresh_from_db()
    assert over.ends_on == today - days(10)


def test_saving_a_case_that_stays_open_keeps_its_bed(client_for, caseworker, case, staying):
    client_for(caseworker).post(f"/cases/{case.reference}/edit/", form_data(case, risk="urgent"))
    staying.refresh_from_db()
    assert staying.ends_on is None


def test_erasing_a_case_frees_its_bed_and_withdraws_its_request(caseworker, coordinator, case, shelter, staying, today):
    waiting = place_request_create(case=case, wanted_from=today, note="", by=caseworker)
    case_erase(case=case, by=coordinator)
    # Read without opening anything: the case's key is gone.
    assert Placement.objects.filter(pk=staying.pk).values_list("ends_on", flat=True).get() == today
    assert PlacementRequest.objects.filter(pk=waiting.pk).values_list("status", flat=True).get() == "withdrawn"
    assert occupied_tonight(shelter) == 0
    assert Placement.history.filter(id=staying.pk, ends_on=today).exists()


def test_an_erased_case_cannot_be_assigned(case, coordinator, other_caseworker):
    case_erase(case=case, by=coordinator)
    with pytest.raises(CaseError):
        case_assign(case=Case.objects.get(pk=case.pk), caseworker=other_caseworker, by=coordinator)
