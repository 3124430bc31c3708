"""The case page as a working tool: what each persona sees of stages and money, and its fixed query count."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.money import ExpenseValues, expense_add
from cases.stages import PaperValues, StageChange, paper_add, stage_update
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
STAGE_NOTE = "Stage-note-Fictional: the Vorbl crossing"
REASON = "Reason-Fictional: issued at Vorbl"
PAPER_NOTE = "Paper-note-Fictional: consulate in Vorbl"
DESCRIPTION = "Expense-Fictional: ticket Vorbl to Quuxburg"


def share_with(case, lawyer, by) -> None:
    """Shares the case with the lawyer the way the app does (the documents feature), or by the bare grant."""
    try:
        from documents.services import case_share
    except ImportError:
        from guardian.shortcuts import assign_perm

        assign_perm("cases.view_case", lawyer, case)
        return
    with key_scope():
        case_share(case=case, lawyer=lawyer, by=by)


def add_expenses(case, user, count: int, *, start: int = 0) -> None:
    with key_scope():
        for number in range(start, start + count):
            expense_add(
                case=case,
                user=user,
                values=ExpenseValues(
                    stage="evacuation",
                    amount=Decimal("3.50"),
                    currency="GEL",
                    rate_to_eur=Decimal("0.34"),
                    spent_on=TODAY,
                    state="committed" if number % 3 == 0 else "paid",
                    description=f"{DESCRIPTION} #{number}",
                ),
            )


@pytest.fixture
def worked_case(case, caseworker, lawyer):
    share_with(case, lawyer, caseworker)
    with key_scope():
        stage_update(
            case=case,
            kind="evacuation",
            user=caseworker,
            expected_version=1,
            change=StageChange("done", notes=STAGE_NOTE, out_of_order_reason=REASON),
        )
        paper_add(
            case=case,
            user=caseworker,
            values=PaperValues(kind="visa", status="applied", applied_on=TODAY, notes=PAPER_NOTE),
        )
    add_expenses(case, caseworker, 1)
    return case


def page(client, case) -> str:
    response = client.get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_caseworker_sees_and_changes_everything(client_for, caseworker, worked_case):
    body = page(client_for(caseworker), worked_case)
    for value in (STAGE_NOTE, REASON, PAPER_NOTE, DESCRIPTION):
        assert value in body
    assert 'id="stages"' in body and 'id="budget"' in body and 'id="expenses"' in body
    assert f'action="/cases/{worked_case.reference}/stages/food/"' in body
    assert f'action="/cases/{worked_case.reference}/expenses/"' in body
    assert "Change the budget" not in body


def test_the_coordinator_sees_stages_amounts_and_budget_but_no_sealed_value(client_for, coordinator, worked_case):
    body = page(client_for(coordinator), worked_case)
    for value in (STAGE_NOTE, REASON, PAPER_NOTE, DESCRIPTION, "Vorbl"):
        assert value not in body
    assert "Evacuation" in body and "Visa" in body
    assert "3.50 GEL" in body and "1.19" in body
    assert "Change the budget" in body
    assert f'action="/cases/{worked_case.reference}/stages/' not in body  # reads the board, does not change it
    assert f'action="/cases/{worked_case.reference}/expenses/' not in body


def test_the_lawyer_sees_stages_and_papers_but_no_costs(client_for, lawyer, worked_case):
    body = page(client_for(lawyer), worked_case)
    assert STAGE_NOTE in body and PAPER_NOTE in body
    assert 'id="stages"' in body
    for absent in ('id="budget"', 'id="expenses"', DESCRIPTION, "GEL", "EUR", "4000.00"):
        assert absent not in body
    assert f'action="/cases/{worked_case.reference}/stages/' not in body


def test_an_erased_case_shows_its_stages_and_amounts_but_opens_nothing(
    client_for, caseworker, coordinator, worked_case
):
    from cases.services import case_erase

    with key_scope():
        case_erase(case=worked_case, by=coordinator)
    for user in (caseworker, coordinator):
        body = page(client_for(user), worked_case)
        assert "Evacuation" in body and "3.50 GEL" in body
        assert DESCRIPTION not in body and STAGE_NOTE not in body
        assert f'action="/cases/{worked_case.reference}/expenses/"' not in body


def count_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client, case)
    return len(queries.captured_queries)


@pytest.mark.parametrize("persona", ["caseworker", "coordinator", "lawyer"])
def test_the_case_page_runs_the_same_queries_for_1_and_100_expenses(
    request, client_for, caseworker, worked_case, persona
):
    worked_case.budget_eur = Decimal("100000.00")
    worked_case.save()
    client = client_for(request.getfixturevalue(persona))
    page(client, worked_case)
    with_one = count_queries(client, worked_case)
    add_expenses(worked_case, caseworker, 99, start=1)
    with key_scope():
        for kind in ("visa", "birth_certificate", "other"):
            paper_add(case=worked_case, user=caseworker, values=PaperValues(kind=kind, status="needed"))
    assert count_queries(client, worked_case) == with_one
    if persona != "lawyer":
        assert "#99" in page(client, worked_case) or persona == "coordinator"


def test_the_budget_form_on_the_page_changes_the_budget(client_for, coordinator, worked_case):
    client = client_for(coordinator)
    response = client.post(
        f"/cases/{worked_case.reference}/budget/", {"budget-budget_eur": "4 800", "budget-reason": "Flights rose"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#budget")
    worked_case.refresh_from_db()
    assert worked_case.budget_eur == Decimal("4800.00")
    bad = client.post(f"/cases/{worked_case.reference}/budget/", {"budget-budget_eur": "0", "budget-reason": "x"})
    assert bad.status_code == 200
    assert "A budget is more than zero" in bad.content.decode()
    history = client.get(f"/cases/{worked_case.reference}/history/").content.decode()
    assert "Flights rose" in history


def test_the_section_dates_are_plain_and_sums_are_to_the_cent(client_for, caseworker, worked_case):
    body = page(client_for(caseworker), worked_case)
    assert "1.19 EUR" in body or "1.19" in body
    assert "0.000000" not in body
    assert datetime.date.today().year > 2000
