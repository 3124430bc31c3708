"""Stage notes, out-of-order reasons, paper notes and expense descriptions are sealed: no table holds them in clear.

The same raw-SQL scan as tests/vault/test_no_clear_text.py, over every table (history tables and the access
log included), after the values went through the real pages.
"""

from __future__ import annotations

import pytest

from cases.models import Expense, TravelPaper
from tests.vault.test_no_clear_text import every_stored_value

pytestmark = pytest.mark.django_db

SECRETS = {
    "stage_note": "Stagenote-Zyxwfictional: hidden at Grelmstrasse",
    "out_of_order": "Outoforder-Zyxwfictional: border at Vorblpass",
    "paper_note": "Papernote-Zyxwfictional: consul Quuxby",
    "description": "Expensedesc-Zyxwfictional: rent for Plumbob flat",
    "reversal": "Reversal-Zyxwfictional: landlord Quuxby refunded",
}


def needles() -> list[bytes]:
    found = []
    for value in [*SECRETS.values(), "Zyxwfictional", "Grelmstrasse", "Vorblpass"]:
        found += [value.encode(), value.lower().encode(), value.encode("utf-16-le")]
    return found


def test_no_table_holds_a_stage_note_or_an_expense_description_in_clear(client_for, caseworker, coordinator, case):
    client = client_for(caseworker)
    ref = case.reference
    assert (
        client.post(
            f"/cases/{ref}/stages/shelter/",
            {"shelter-version": "1", "shelter-status": "in_progress", "shelter-notes": SECRETS["stage_note"]},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/cases/{ref}/stages/evacuation/",
            {
                "evacuation-version": "1",
                "evacuation-status": "done",
                "evacuation-out_of_order_reason": SECRETS["out_of_order"],
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/cases/{ref}/papers/",
            {"paper-new-kind": "visa", "paper-new-status": "needed", "paper-new-notes": SECRETS["paper_note"]},
        ).status_code
        == 302
    )
    paper = TravelPaper.objects.get()
    client.post(
        f"/cases/{ref}/papers/{paper.pk}/",
        {
            f"paper-{paper.pk}-kind": "visa",
            f"paper-{paper.pk}-status": "applied",
            f"paper-{paper.pk}-notes": SECRETS["paper_note"] + " v2",
        },
    )
    expense_form = {
        "expense-stage": "shelter",
        "expense-amount": "300",
        "expense-currency": "EUR",
        "expense-spent_on": "2026-03-02",
        "expense-state": "paid",
        "expense-description": SECRETS["description"],
    }
    assert client.post(f"/cases/{ref}/expenses/", expense_form).status_code == 302
    expense = Expense.objects.get()
    assert (
        client.post(
            f"/cases/{ref}/expenses/{expense.pk}/reverse/", {"reason": SECRETS["reversal"], "on_date": "2026-03-03"}
        ).status_code
        == 302
    )
    client.get(f"/cases/{ref}/")
    client_for(coordinator).get(f"/cases/{ref}/")

    leaks = [(table, needle) for table, value in every_stored_value() for needle in needles() if needle in value]
    assert leaks == []
    # ...and they are really there, sealed: the history tables hold ciphertext rows for them.
    assert Expense.history.count() == 2
    assert TravelPaper.history.count() == 2


def test_erasing_a_case_makes_its_notes_and_descriptions_unreadable_history_included(case, caseworker, coordinator):
    import datetime
    from decimal import Decimal

    from cases.models import Stage
    from cases.money import ExpenseValues, expense_add
    from cases.services import case_erase
    from cases.stages import StageChange, stage_update
    from vault.crypto import KeyDestroyed
    from vault.keys import key_scope

    with key_scope():
        stage_update(case=case, kind="food", user=caseworker, expected_version=1, change=StageChange("done", notes="x"))
        expense_add(
            case=case,
            user=caseworker,
            values=ExpenseValues(
                stage="food", amount=Decimal("5"), currency="EUR", spent_on=datetime.date(2026, 3, 2), description="y"
            ),
        )
    with key_scope():
        case_erase(case=case, by=coordinator)
    with key_scope():
        for row in (
            Stage.objects.get(case=case, kind="food"),
            Stage.history.filter(case_id=case.pk, kind="food").first(),
        ):
            with pytest.raises(KeyDestroyed):
                _ = row.notes
        for row in (Expense.objects.get(), Expense.history.first()):
            with pytest.raises(KeyDestroyed):
                _ = row.description
    assert Expense.objects.get().amount_eur == Decimal("5.00")  # the accounts stay
