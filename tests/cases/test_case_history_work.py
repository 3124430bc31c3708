"""The case's history page also shows who changed its stages, travel papers and expenses, and when: notes and
descriptions opened only for those who may read the case, expenses not for lawyers, a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.money import ExpenseValues, expense_add, expense_delete
from cases.stages import PaperValues, StageChange, paper_add, stage_update
from tests.cases.test_case_page_work import share_with
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOTE = "Stage-note-Fictional: waiting at the Vorbl consulate"
DESCRIPTION = "Expense-Fictional: bus to Quuxburg"


def work_on(case, caseworker, expenses: int = 1) -> None:
    with key_scope():
        stage = case.stages.get(kind="shelter")
        stage_update(
            case=case,
            kind="shelter",
            user=caseworker,
            expected_version=stage.version,
            change=StageChange(status="in_progress", started_on=TODAY, notes=NOTE, changed=["status", "notes"]),
        )
        paper_add(case=case, user=caseworker, values=PaperValues(kind="visa", status="applied", applied_on=TODAY))
        for number in range(expenses):
            recorded = expense_add(
                case=case,
                user=caseworker,
                values=ExpenseValues(
                    stage="shelter",
                    amount=Decimal("120.00") + number,
                    currency="EUR",
                    spent_on=TODAY,
                    state="committed",
                    description=DESCRIPTION,
                ),
            )
        expense_delete(expense=recorded, user=caseworker)


def history(client, case):
    response = client.get(f"/cases/{case.reference}/history/")
    assert response.status_code == 200
    return response


def test_the_caseworker_sees_who_changed_stages_papers_and_expenses(client_for, caseworker, case):
    work_on(case, caseworker)
    response = history(client_for(caseworker), case)
    subjects = [(change.subject, change.who, change.kind) for change in response.context["work"]]
    assert ("Shelter", caseworker.username, "~") in subjects
    assert ("Visa", caseworker.username, "+") in subjects
    assert ("Expense of 120.00 EUR", caseworker.username, "-") in subjects  # deleted: history keeps it
    shelter = next(change for change in response.context["work"] if change.subject == "Shelter" and change.kind == "~")
    assert {(f.name, f.old, f.new) for f in shelter.fields} >= {
        ("status", "Not started", "In progress"),
        ("notes", "", NOTE),
    }
    body = response.content.decode()
    assert NOTE in body and DESCRIPTION in body


def test_the_coordinator_sees_what_changed_but_no_note_or_description(client_for, caseworker, coordinator, case):
    work_on(case, caseworker)
    response = history(client_for(coordinator), case)
    body = response.content.decode()
    assert NOTE not in body and DESCRIPTION not in body
    assert "Expense of 120.00 EUR" in body
    shelter = next(change for change in response.context["work"] if change.subject == "Shelter" and change.kind == "~")
    notes = next(f for f in shelter.fields if f.name == "notes")
    assert (notes.sealed, notes.old, notes.new) == (True, None, None)  # named as changed, no value


def test_a_lawyer_sees_stages_and_papers_but_no_expense(client_for, caseworker, lawyer, case):
    work_on(case, caseworker)
    share_with(case, lawyer, caseworker)
    response = history(client_for(lawyer), case)
    subjects = {change.subject for change in response.context["work"]}
    assert {"Shelter", "Visa"} <= subjects
    assert not any(subject.startswith("Expense") for subject in subjects)
    assert "120.00" not in response.content.decode()


def queries(client, case) -> int:
    with CaptureQueriesContext(connection) as context:
        history(client, case)
    return len(context.captured_queries)


def test_the_page_runs_as_many_queries_for_1_as_for_20_expenses(client_for, caseworker, open_case):
    few, many = open_case(caseworker), open_case(caseworker)
    work_on(few, caseworker, expenses=1)
    work_on(many, caseworker, expenses=20)
    client = client_for(caseworker)
    history(client, few)
    assert queries(client, few) == queries(client, many)


def test_an_erased_cases_work_history_opens_nothing(client_for, caseworker, coordinator, case):
    from cases.services import case_erase

    work_on(case, caseworker)
    case_erase(case=case, by=coordinator)
    response = history(client_for(caseworker), case)
    assert NOTE not in response.content.decode()
    assert any(change.subject == "Shelter" for change in response.context["work"])
