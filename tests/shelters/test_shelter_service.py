"""Adding, changing and erasing safe houses: a house's address is sealed with its own key, and can be erased."""

from __future__ import annotations

import pytest
from django.db import connection

from shelters.models import Shelter
from shelters.services import PlacementError, shelter_create, shelter_erase, shelter_update
from tests.shelters.conftest import SHELTER_SECRETS
from vault.crypto import KeyDestroyed
from vault.keys import key_scope
from vault.models import DataKey

pytestmark = pytest.mark.django_db


def raw_values(table: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return [value for row in cursor.fetchall() for value in row]


def test_the_address_contact_and_notes_are_stored_sealed_with_a_key_of_its_own(shelter, case):
    assert shelter.data_key_id not in (None, case.data_key_id)
    stored = raw_values("shelters_shelter") + raw_values("shelters_historicalshelter")
    for value in SHELTER_SECRETS.values():
        for cell in stored:
            raw = bytes(cell) if isinstance(cell, memoryview | bytes) else str(cell).encode()
            assert value.encode() not in raw
    with key_scope():
        assert Shelter.objects.get(pk=shelter.pk).address == SHELTER_SECRETS["address"]


@pytest.mark.parametrize("capacity", [0, -3, None])
def test_a_house_without_a_bed_is_refused(coordinator, capacity):
    with pytest.raises(PlacementError, match="at least one bed"):
        shelter_create(by=coordinator, data={"code_name": "Empty", "city": "Fictionburg", "capacity": capacity})
    assert not Shelter.objects.exists()


def test_beds_cannot_be_changed_to_none(shelter, coordinator):
    with pytest.raises(PlacementError, match="at least one bed"):
        shelter_update(shelter=shelter, by=coordinator, changes={"capacity": 0})
    shelter.refresh_from_db()
    assert shelter.capacity == 4


def test_erasing_destroys_the_key_of_a_closed_house_only(shelter, coordinator):
    with pytest.raises(PlacementError, match="Close the safe house"):
        shelter_erase(shelter=shelter, by=coordinator)
    shelter_update(shelter=shelter, by=coordinator, changes={"status": "closed", "address": "Second address"})
    shelter_erase(shelter=shelter, by=coordinator)
    assert shelter.is_erased
    assert DataKey.objects.get(pk=shelter.data_key_id).wrapped is None
    for record in shelter.history.exclude(history_change_reason="erased"):
        with key_scope(), pytest.raises(KeyDestroyed):
            _ = record.address
    assert (shelter.code_name, shelter.capacity) == ("House-001", 4)  # kept for the accounts
    with pytest.raises(PlacementError, match="erased already"):
        shelter_erase(shelter=shelter, by=coordinator)
    with pytest.raises(PlacementError, match="erased"):
        shelter_update(shelter=shelter, by=coordinator, changes={"city": "Elsewhere"})
