"""Exact-match search by name and phone goes through keyed hashes, and finds only exact matches."""

from __future__ import annotations

import pytest

from cases.models import Case
from vault.blind_index import name_index, normalise_name, normalise_phone, phone_index

pytestmark = pytest.mark.django_db


def found(client, text) -> list[str]:
    response = client.post("/cases/", {"q": text})
    assert response.status_code == 200
    return sorted(case.reference for case in response.context["page"].object_list)


@pytest.fixture
def two_cases(open_case, caseworker):
    first = open_case(caseworker, legal_name="Ruslan Primerov", chosen_name="Rusya", phone="+7 900 111-22-33")
    second = open_case(caseworker, legal_name="Ruslan Primerovich", chosen_name="", phone="+7 900 111-22-34")
    return first, second


def test_a_full_name_finds_exactly_that_case(client_for, caseworker, two_cases):
    first, _second = two_cases
    client = client_for(caseworker)
    assert found(client, "Ruslan Primerov") == [first.reference]
    assert found(client, "  ruslan   PRIMEROV ") == [first.reference]
    assert found(client, "Rusya") == [first.reference]


def test_part_of_a_name_finds_nothing(client_for, caseworker, two_cases):
    client = client_for(caseworker)
    assert found(client, "Ruslan") == []
    assert found(client, "Primer") == []


def test_a_phone_number_finds_its_case_however_it_is_written(client_for, caseworker, two_cases):
    first, second = two_cases
    client = client_for(caseworker)
    assert found(client, "+79001112233") == [first.reference]
    assert found(client, "007 (900) 111 22 34") == [second.reference]
    assert found(client, "900 111") == []


def test_search_only_finds_the_users_own_cases(client_for, other_caseworker, two_cases):
    assert found(client_for(other_caseworker), "Ruslan Primerov") == []


def test_coordinators_cannot_search_by_name(client_for, coordinator, two_cases):
    first, _ = two_cases
    client = client_for(coordinator)
    assert found(client, "Ruslan Primerov") == []
    assert found(client, first.reference) == [first.reference]


def test_the_index_is_a_keyed_hash_not_the_name(two_cases):
    first, _ = two_cases
    stored = Case.objects.get(pk=first.pk)
    assert stored.legal_name_index == name_index("Ruslan Primerov")
    assert "ruslan" not in stored.legal_name_index
    assert len(stored.legal_name_index) == 64
    assert stored.phone_index == phone_index("+7 900 111-22-33")


def test_normalisation():
    assert normalise_name("  Алёна   Иванова-Петрова ") == "алена иванова петрова"
    assert normalise_phone("+7 (900) 111-22-33") == normalise_phone("007 900 1112233") == "79001112233"
