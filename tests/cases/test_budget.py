"""Budgets: committed, paid and remaining; the over-budget flag; the warning before saving; who may change one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AccessEvent
from cases.history import case_changes
from cases.models import Case, Expense
from cases.money import (
    ExpenseValues,
    MoneyError,
    NeedsConfirmation,
    case_budget,
    case_set_budget,
    expense_add,
    expense_update,
)
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def add(case, user, amount, *, state="paid", stage="shelter", confirmed_eur=None) -> Expense:
    with key_scope():
        return expense_add(
            case=case,
            user=user,
            values=ExpenseValues(stage=stage, amount=Decimal(amount), currency="EUR", spent_on=TODAY, state=state),
            confirmed_eur=confirmed_eur,
        )


def test_a_new_case_has_the_default_budget_from_the_settings(open_case, caseworker, settings):
    settings.PASSAGE_DEFAULT_BUDGET_EUR = Decimal("4500.00")
    case = open_case(caseworker)
    assert case_budget(case).budget == Decimal("4500.00")


def test_committed_paid_remaining_and_the_breakdown_by_stage(case, caseworker):
    add(case, caseworker, "1200.00", stage="shelter")
    add(case, caseworker, "300.50", stage="food")
    add(case, caseworker, "650.00", stage="evacuation", state="committed")
    budget = case_budget(case)
    assert (budget.budget, budget.committed, budget.paid, budget.total, budget.remaining) == (
        Decimal("4000.00"),
        Decimal("650.00"),
        Decimal("1500.50"),
        Decimal("2150.50"),
        Decimal("1849.50"),
    )
    by_stage = {row.kind: (row.committed, row.paid) for row in budget.by_stage}
    assert by_stage["shelter"] == (0, Decimal("1200.00"))
    assert by_stage["evacuation"] == (Decimal("650.00"), 0)
    assert by_stage["asylum_application"] == (0, 0)
    assert not budget.is_over
    assert budget.used_percent == 54


def test_an_expense_that_takes_the_case_over_budget_is_not_saved_until_confirmed(case, caseworker):
    add(case, caseworker, "3900.00")
    with pytest.raises(NeedsConfirmation) as asked:
        add(case, caseworker, "150.00")
    assert "over its budget: 4050.00 EUR" in asked.value.warnings[0]
    assert "50.00 EUR over" in asked.value.warnings[0]
    assert Expense.objects.count() == 1
    with pytest.raises(NeedsConfirmation):  # a confirmation of another amount does not count
        add(case, caseworker, "150.00", confirmed_eur=Decimal("100.00"))
    add(case, caseworker, "150.00", confirmed_eur=asked.value.amount_eur)
    budget = case_budget(case)
    assert budget.is_over
    assert budget.remaining == Decimal("-50.00")
    assert Case.objects.with_spending().get(pk=case.pk).spent_eur == Decimal("4050.00")


def test_reaching_the_budget_exactly_is_not_over(case, caseworker):
    add(case, caseworker, "4000.00")
    assert not case_budget(case).is_over


def test_a_committed_expense_raised_over_the_budget_asks_too(case, caseworker):
    expense = add(case, caseworker, "3000.00", state="committed")
    with pytest.raises(NeedsConfirmation), key_scope():
        expense_update(
            expense=expense,
            user=caseworker,
            values=ExpenseValues(
                stage="shelter", amount=Decimal("4500"), currency="EUR", spent_on=TODAY, state="committed"
            ),
        )
    expense.refresh_from_db()
    assert expense.amount == Decimal("3000.00")


def test_a_coordinator_changes_the_budget_with_a_reason_kept_in_history(case, coordinator):
    case_set_budget(case=case, user=coordinator, budget_eur=Decimal("5200.00"), reason="Medical evacuation by air")
    case.refresh_from_db()
    assert case.budget_eur == Decimal("5200.00")
    assert case.version == 1  # a caseworker's edit in progress is not made stale by it
    record = case.history.first()
    assert (record.history_change_reason, record.history_user) == ("Medical evacuation by air", coordinator)
    changes = case_changes(case, show_sealed=False)
    assert changes[0].reason == "Medical evacuation by air"
    assert [(field.name, field.old, field.new) for field in changes[0].fields] == [
        ("budget_eur", Decimal("4000.00"), Decimal("5200.00"))
    ]
    event = AccessEvent.objects.filter(action="budget_change").get()
    assert (event.username, event.case_reference, event.detail) == (
        coordinator.username,
        case.reference,
        "Medical evacuation by air",
    )


def test_caseworkers_and_lawyers_cannot_change_a_budget(case, caseworker, lawyer):
    for user in (caseworker, lawyer):
        with pytest.raises(PermissionDenied):
            case_set_budget(case=case, user=user, budget_eur=Decimal("9000"), reason="More")
    case.refresh_from_db()
    assert case.budget_eur == Decimal("4000.00")


@pytest.mark.parametrize(
    ("budget", "reason", "field", "message"),
    [
        ("0", "Reason", "budget_eur", "more than zero"),
        ("-100", "Reason", "budget_eur", "more than zero"),
        ("1000000.01", "Reason", "budget_eur", "at most 1,000,000"),
        ("4000.001", "Reason", "budget_eur", "two decimal places"),
        ("5000", "   ", "reason", "Say why"),
        ("5000", "x" * 101, "reason", "under 100 characters"),
    ],
)
def test_bad_budget_input_changes_nothing(case, coordinator, budget, reason, field, message):
    with pytest.raises(MoneyError) as refused:
        case_set_budget(case=case, user=coordinator, budget_eur=Decimal(budget), reason=reason)
    assert message in refused.value.errors[field]
    case.refresh_from_db()
    assert (case.budget_eur, case.history.count()) == (Decimal("4000.00"), 1)


def test_a_caseworker_cannot_change_the_budget_through_the_case_edit_form_either(client_for, caseworker, case):
    from tests.conftest import SEALED_VALUES

    client = client_for(caseworker)
    version = client.get(f"/cases/{case.reference}/edit/").context["form"]["version"].value()
    data = {**SEALED_VALUES, "date_of_birth": "1990-05-17", "intake_date": "2026-03-01", "risk": "high"}
    data |= {"status": "open", "version": version, "budget_eur": "99999"}
    assert client.post(f"/cases/{case.reference}/edit/", data).status_code == 302
    case.refresh_from_db()
    assert case.budget_eur == Decimal("4000.00")
    assert client.post(f"/cases/{case.reference}/budget/", {"budget-budget_eur": "9000"}).status_code == 403
