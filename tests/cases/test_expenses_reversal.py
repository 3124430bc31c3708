"""Reversing entries: a paid expense is corrected by its negative mirror, once, never edited away."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from cases.models import Expense
from cases.money import ExpenseValues, MoneyError, case_budget, expense_add, expense_reverse
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def paid(case, caseworker) -> Expense:
    with key_scope():
        return expense_add(
            case=case,
            user=caseworker,
            values=ExpenseValues(
                stage="evacuation",
                amount=Decimal("480.00"),
                currency="USD",
                rate_to_eur=Decimal("0.9213"),
                spent_on=TODAY - 3 * DAY,
                description="Fictional: bus tickets",
            ),
        )


def reverse(expense, user, reason="Fictional: charged twice by the agency", **extra):
    with key_scope():
        return expense_reverse(expense=expense, user=user, reason=reason, **extra)


def test_a_reversal_mirrors_the_paid_expense_and_keeps_the_reason(paid, caseworker, case):
    reversal = reverse(paid, caseworker)
    reversal.refresh_from_db()
    assert reversal.reverses == paid
    assert (reversal.amount, reversal.currency, reversal.rate_to_eur, reversal.amount_eur) == (
        Decimal("-480.00"),
        "USD",
        paid.rate_to_eur,
        -paid.amount_eur,
    )
    assert (reversal.state, reversal.stage_id, reversal.spent_on) == ("paid", paid.stage_id, TODAY)
    with key_scope():
        assert Expense.objects.get(pk=reversal.pk).description == "Fictional: charged twice by the agency"
    paid.refresh_from_db()
    assert paid.amount == Decimal("480.00")  # the original stays as it was
    assert paid.history.count() == 1


def test_the_case_total_drops_by_the_reversed_amount_and_the_stage_breakdown_follows(paid, caseworker, case):
    before = case_budget(case)
    reverse(paid, caseworker)
    after = case_budget(case)
    assert before.paid == paid.amount_eur
    assert after.paid == Decimal("0.00")
    assert {row.kind: row.paid for row in after.by_stage}["evacuation"] == Decimal("0.00")


def test_an_expense_is_reversed_only_once(paid, caseworker):
    reverse(paid, caseworker)
    with pytest.raises(MoneyError, match="reversed already"):
        reverse(paid, caseworker)
    assert Expense.objects.filter(reverses=paid).count() == 1


def test_a_reversal_is_not_reversed_again(paid, caseworker):
    reversal = reverse(paid, caseworker)
    with pytest.raises(MoneyError, match="not reversed again"):
        reverse(reversal, caseworker)


def test_a_committed_expense_is_not_reversed_but_changed(case, caseworker):
    with key_scope():
        committed = expense_add(
            case=case,
            user=caseworker,
            values=ExpenseValues(stage="food", amount=Decimal("50"), currency="EUR", spent_on=TODAY, state="committed"),
        )
    with pytest.raises(MoneyError, match="Only a paid expense is reversed"):
        reverse(committed, caseworker)


@pytest.mark.parametrize(
    ("reason", "extra", "field", "message"),
    [
        ("   ", {}, "reason", "Say what was wrong"),
        ("x" * 501, {}, "reason", "under 500 characters"),
        ("Typo", {"on_date": TODAY + DAY}, "on_date", "cannot be dated in the future"),
        ("Typo", {"on_date": TODAY - 30 * DAY}, "on_date", "before the expense it corrects"),
    ],
)
def test_bad_input_reverses_nothing(paid, caseworker, reason, extra, field, message):
    with pytest.raises(MoneyError) as refused:
        reverse(paid, caseworker, reason=reason, **extra)
    assert message in refused.value.errors[field]
    assert Expense.objects.count() == 1


def test_the_reversal_is_written_to_the_access_log(paid, caseworker, case):
    reversal = reverse(paid, caseworker)
    event = AccessEvent.objects.filter(action="expense_reverse").get()
    assert (event.case_reference, event.target) == (case.reference, f"expense {paid.pk}")
    assert str(reversal.amount_eur) in event.detail
    assert "agency" not in event.detail
