"""A safe house's address reaches a caseworker only while one of their cases stays there, and
appears in no other response at all: not in lists, the case page, the dashboard or any form."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent
from shelters.services import placement_end, shelter_update
from tests.shelters.conftest import SHELTER_SECRETS, days

pytestmark = pytest.mark.django_db

ADDRESS = SHELTER_SECRETS["address"]


def shows_address(client, shelter) -> bool:
    response = client.get(f"/shelters/{shelter.pk}/")
    assert response.status_code == 200
    return ADDRESS in response.content.decode()


def test_a_caseworker_sees_the_address_only_while_their_case_stays_there(
    client_for, caseworker, coordinator, shelter, case, today, place
):
    client = client_for(caseworker)
    assert not shows_address(client, shelter)  # no stay at all
    stay = place(case, shelter, today + days(2))
    assert not shows_address(client, shelter)  # only planned
    placement_end(placement=stay, on=stay.starts_on, by=coordinator)
    stay = place(case, shelter, today - days(3))
    assert shows_address(client, shelter)  # staying there tonight
    response = client.get(f"/shelters/{shelter.pk}/").content.decode()
    assert SHELTER_SECRETS["contact"] not in response  # the contact and notes stay with coordinators
    assert SHELTER_SECRETS["notes"] not in response
    assert AccessEvent.objects.filter(action="shelter_view", username="cw_assigned", target=shelter.code_name).exists()
    placement_end(placement=stay, on=today, by=coordinator)
    assert not shows_address(client, shelter)  # left today


def test_another_caseworker_never_sees_it(client_for, other_caseworker, shelter, case, today, place):
    place(case, shelter, today)
    assert not shows_address(client_for(other_caseworker), shelter)


def test_a_caseworker_unassigned_from_the_case_loses_the_address(
    client_for, caseworker, coordinator, shelter, case, today, place
):
    from cases.services import case_unassign

    place(case, shelter, today)
    client = client_for(caseworker)
    assert shows_address(client, shelter)
    case_unassign(case=case, caseworker=caseworker, by=coordinator)
    assert not shows_address(client, shelter)


def test_the_address_appears_in_no_other_response(
    client_for,
    caseworker,
    other_caseworker,
    coordinator,
    lawyer,
    other_lawyer,
    administrator,
    shelter,
    case,
    today,
    place,
):
    from shelters.services import place_request_create

    place(case, shelter, today)
    waiting = place_request_create(case=case, wanted_from=today, note="Ground floor, please.", by=caseworker)
    stay = case.placements.get()
    pages = [
        "/dashboard/",
        "/dashboard/assignments/",
        "/shelters/",
        "/shelters/requests/",
        f"/cases/{case.reference}/",
        f"/cases/{case.reference}/history/",
        "/cases/",
        f"/shelters/cases/{case.reference}/place/",
        f"/shelters/cases/{case.reference}/move/",
        f"/shelters/cases/{case.reference}/stays/{stay.pk}/end/",
        f"/shelters/cases/{case.reference}/request/",
        f"/shelters/cases/{case.reference}/requests/{waiting.pk}/grant/",
        f"/shelters/cases/{case.reference}/requests/{waiting.pk}/decline/",
        f"/shelters/cases/{case.reference}/keep-apart/",
        f"/shelters/{shelter.pk}/",
        f"/shelters/{shelter.pk}/edit/",
        f"/shelters/{shelter.pk}/erase/",
        "/audit/",
    ]
    # Where the address may be: the house's own page and its edit form (coordinators), its page (the
    # caseworker whose case stays there).
    allowed = {
        ("coord", f"/shelters/{shelter.pk}/"),
        ("coord", f"/shelters/{shelter.pk}/edit/"),
        ("cw_assigned", f"/shelters/{shelter.pk}/"),
    }
    users = [caseworker, other_caseworker, coordinator, lawyer, other_lawyer, administrator, None]
    seen = set()
    for user in users:
        client = client_for(user)
        for page in pages:
            text = client.get(page).content.decode()
            for name, value in SHELTER_SECRETS.items():
                if value in text:
                    seen.add((user.username if user else "anonymous", page, name))
    assert {(who, page) for who, page, _name in seen} == allowed
    assert {name for who, _page, name in seen if who == "cw_assigned"} == {"address"}


def test_closing_and_erasing_keeps_the_address_out_of_every_page(client_for, coordinator, shelter):
    shelter_update(shelter=shelter, by=coordinator, changes={"status": "closed"})
    client = client_for(coordinator)
    client.post(f"/shelters/{shelter.pk}/erase/", {"confirm": shelter.code_name})
    for page in (f"/shelters/{shelter.pk}/", "/shelters/", "/dashboard/"):
        assert ADDRESS not in client.get(page).content.decode()
