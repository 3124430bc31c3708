"""Intake: a caseworker opens a case and is assigned to it."""

from __future__ import annotations

import datetime

import pytest

from cases.models import Case
from cases.services import assigned_caseworkers
from tests.conftest import SEALED_VALUES
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

FORM = {**SEALED_VALUES, "date_of_birth": "1990-05-17", "intake_date": "2026-03-01", "risk": "urgent"}


def test_a_caseworker_opens_a_case_and_is_assigned(client_for, caseworker):
    response = client_for(caseworker).post("/cases/new/", FORM)
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.reference}/"
    assert case.reference == "EV-2026-0001"
    assert assigned_caseworkers(case) == [caseworker]
    assert case.budget_eur == 4000
    with key_scope():
        assert Case.objects.get().legal_name == SEALED_VALUES["legal_name"]


def test_references_count_up_per_year(open_case, caseworker):
    first = open_case(caseworker, intake_date=datetime.date(2026, 1, 5))
    second = open_case(caseworker, intake_date=datetime.date(2026, 2, 5))
    older = open_case(caseworker, intake_date=datetime.date(2025, 12, 30))
    assert [first.reference, second.reference, older.reference] == ["EV-2026-0001", "EV-2026-0002", "EV-2025-0001"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("date_of_birth", "17.05.1990x", "Enter a valid date"),
        ("intake_date", "2999-01-01", "cannot be in the future"),
        ("phone", "call me maybe", "A phone number has digits"),
        ("risk", "apocalyptic", "Select a valid choice"),
        ("destination_country", "Atlantis", "Select a valid choice"),
        ("legal_name", "x" * 201, "at most 200 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(client_for, caseworker, field, value, message):
    response = client_for(caseworker).post("/cases/new/", {**FORM, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert SEALED_VALUES["narrative"] in response.content.decode()  # what was typed is kept
    assert not Case.objects.exists()


def test_a_case_needs_some_name(client_for, caseworker):
    response = client_for(caseworker).post("/cases/new/", {**FORM, "legal_name": "", "chosen_name": " "})
    assert "Give at least a legal name or a chosen name" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator", "lawyer", "administrator"])
def test_only_caseworkers_open_cases(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/cases/new/").status_code == 403
    assert client.post("/cases/new/", FORM).status_code == 403
    assert not Case.objects.exists()


def test_the_form_page_runs_few_queries(client_for, caseworker, django_assert_max_num_queries):
    client = client_for(caseworker)
    client.get("/cases/new/")
    with django_assert_max_num_queries(8):
        assert client.get("/cases/new/").status_code == 200
