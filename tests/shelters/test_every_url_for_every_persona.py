"""Every safe-house and dashboard URL, for every persona: who gets the page, who is refused and how.

A refused role gets 403; a case or safe house the user may not see is 404 (the same as a missing one);
an anonymous visitor is sent to sign in. Nothing changes for anybody refused.
"""

from __future__ import annotations

import pytest

from shelters.models import KeepApart, Placement, PlacementRequest, Shelter
from shelters.services import keep_apart_add, place_request_create
from tests.shelters.conftest import days

pytestmark = pytest.mark.django_db

PERSONAS = ["caseworker", "other_caseworker", "coordinator", "lawyer", "other_lawyer", "administrator", None]

C, W = "coordinator", "caseworker"
COORDINATORS_ONLY = {C: 200, W: 403, "other_caseworker": 403, "lawyer": 403, "other_lawyer": 403, "administrator": 403}
COORDINATORS_AND_CASEWORKERS = {**COORDINATORS_ONLY, W: 200, "other_caseworker": 200}
OWN_CASEWORKER_ONLY = {**COORDINATORS_ONLY, C: 403, W: 200, "other_caseworker": 404}


@pytest.fixture
def world(case, caseworker, coordinator, open_case, shelter, today, place):
    stay = place(case, shelter, today - days(1))
    other = open_case(caseworker)
    pair, _sharing = keep_apart_add(case=case, other=other, reason="safety", by=coordinator)
    waiting = place_request_create(case=other, wanted_from=today, note="", by=caseworker)
    return {"case": case, "other": other, "shelter": shelter, "stay": stay, "pair": pair, "waiting": waiting}


def pages(world) -> dict[str, dict]:
    case, other, shelter = world["case"], world["other"], world["shelter"]
    base, other_base = f"/shelters/cases/{case.reference}", f"/shelters/cases/{other.reference}"
    return {
        "/dashboard/": COORDINATORS_ONLY,
        "/dashboard/assignments/": COORDINATORS_ONLY,
        "/dashboard/donor-report.csv?date_from=2026-01-01&date_to=2026-02-01": COORDINATORS_ONLY,
        "/dashboard/donor-report.pdf?date_from=2026-01-01&date_to=2026-02-01": COORDINATORS_ONLY,
        "/shelters/": COORDINATORS_AND_CASEWORKERS,
        "/shelters/new/": COORDINATORS_ONLY,
        "/shelters/requests/": COORDINATORS_ONLY,
        f"/shelters/{shelter.pk}/": COORDINATORS_AND_CASEWORKERS,
        f"/shelters/{shelter.pk}/edit/": COORDINATORS_ONLY,
        f"/shelters/{shelter.pk}/erase/": COORDINATORS_ONLY,
        f"{base}/place/": COORDINATORS_ONLY,
        f"{base}/move/": COORDINATORS_ONLY,
        f"{base}/stays/{world['stay'].pk}/end/": COORDINATORS_ONLY,
        f"{base}/keep-apart/": COORDINATORS_ONLY,
        f"{other_base}/requests/{world['waiting'].pk}/grant/": COORDINATORS_ONLY,
        f"{other_base}/requests/{world['waiting'].pk}/decline/": COORDINATORS_ONLY,
        f"{base}/request/": OWN_CASEWORKER_ONLY,
    }


def client_of(request, client_for, persona):
    return client_for(request.getfixturevalue(persona) if persona else None)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_each_persona_as_it_should(request, client_for, world, persona):
    client = client_of(request, client_for, persona)
    for url, expected in pages(world).items():
        response = client.get(url)
        if persona is None:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
        else:
            assert response.status_code == expected[persona], (url, persona)


# Posts that change state; for each, the data a coordinator (or the case's caseworker) would send.
def posts(world, today) -> list[tuple[str, dict, str]]:
    case, other, shelter = world["case"], world["other"], world["shelter"]
    base, other_base = f"/shelters/cases/{case.reference}", f"/shelters/cases/{other.reference}"
    day = str(today)
    form = {"code_name": "Elsewhere", "city": "Fictionburg", "capacity": "3"}
    return [
        ("/shelters/new/", form, C),
        (f"/shelters/{shelter.pk}/edit/", {**form, "status": "closed"}, C),
        (f"/shelters/{shelter.pk}/erase/", {"confirm": shelter.code_name}, C),
        ("/dashboard/assignments/", {"reference": other.reference, "caseworker": "cw_other"}, C),
        (f"{other_base}/place/", {"place-shelter": shelter.pk, "place-starts_on": day}, C),
        (f"{base}/move/", {"move-shelter": shelter.pk, "move-on": day}, C),
        (f"{base}/stays/{world['stay'].pk}/end/", {"end-ends_on": day}, C),
        (f"{base}/keep-apart/{world['pair'].pk}/remove/", {}, C),
        (
            f"{other_base}/requests/{world['waiting'].pk}/grant/",
            {"grant-shelter": shelter.pk, "grant-starts_on": day},
            C,
        ),
        (f"{other_base}/requests/{world['waiting'].pk}/decline/", {"decline-reason": "No"}, C),
        (f"{other_base}/requests/{world['waiting'].pk}/withdraw/", {}, W),
        (f"{base}/request/", {"request-wanted_from": day}, W),
    ]


def state() -> tuple:
    return (
        list(Shelter.objects.values_list("code_name", "status", "capacity", "erased_at")),
        list(Placement.objects.values_list("pk", "shelter_id", "starts_on", "ends_on")),
        list(PlacementRequest.objects.values_list("pk", "status")),
        KeepApart.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_nobody_refused_changes_anything(request, client_for, world, today, persona):
    client = client_of(request, client_for, persona)
    before = state()
    for url, data, allowed in posts(world, today):
        if persona == allowed or (allowed == W and persona == "caseworker"):
            continue
        response = client.post(url, data)
        assert response.status_code in (302, 403, 404), (url, persona)
        if persona is None:
            assert response["Location"].startswith("/accounts/login/")
    assert state() == before


def test_a_get_never_changes_anything(client_for, coordinator, caseworker, world, today):
    before = state()
    for client in (client_for(coordinator), client_for(caseworker)):
        for url, data, _allowed in posts(world, today):
            client.get(url, data)
    assert state() == before
