"""After safe houses, stays and requests are made through the pages, no table holds an address, contact,
note or request note in clear; erasing a case makes its request notes unreadable."""

from __future__ import annotations

import pytest

from cases.services import case_erase
from shelters.models import PlacementRequest, Shelter
from tests.shelters.conftest import SHELTER_SECRETS
from tests.vault.test_no_clear_text import every_stored_value
from vault.crypto import KeyDestroyed
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

NOTE = "Request-note-Fictional: allergic to Vorbl dust."


def test_no_table_holds_a_safe_house_secret_or_a_request_note_in_clear(
    client_for, coordinator, caseworker, case, today
):
    manager = client_for(coordinator)
    response = manager.post(
        "/shelters/new/", {"code_name": "Lighthouse", "city": "Fictionburg", "capacity": "3", **SHELTER_SECRETS}
    )
    assert response.status_code == 302
    shelter = Shelter.objects.get()
    edited = {"code_name": "Lighthouse", "city": "Fictionburg", "capacity": "4", "status": "active", **SHELTER_SECRETS}
    edited["notes"] = SHELTER_SECRETS["notes"] + " Second version."
    assert manager.post(f"/shelters/{shelter.pk}/edit/", edited).status_code == 302
    worker = client_for(caseworker)
    response = worker.post(
        f"/shelters/cases/{case.reference}/request/", {"request-wanted_from": str(today), "request-note": NOTE}
    )
    assert response.status_code == 302
    waiting = PlacementRequest.objects.get()
    manager.post(
        f"/shelters/cases/{case.reference}/requests/{waiting.pk}/grant/",
        {"grant-shelter": shelter.pk, "grant-starts_on": str(today)},
    )
    worker.get(f"/shelters/{shelter.pk}/")
    manager.get("/dashboard/")

    needles = [value.encode() for value in [*SHELTER_SECRETS.values(), NOTE, "Quuxhaus", "Plumbobova"]]
    leaks = [(table, needle) for table, value in every_stored_value() for needle in needles if needle in value]
    assert leaks == []


def test_erasing_a_case_makes_its_request_notes_unreadable(case, caseworker, today):
    from shelters.services import place_request_create

    with key_scope():
        place_request_create(case=case, wanted_from=today, note=NOTE, by=caseworker)
    case_erase(case=case, by=None)
    for record in [PlacementRequest.objects.get(), *PlacementRequest.history.all()]:
        with key_scope(), pytest.raises(KeyDestroyed):
            _ = record.note
