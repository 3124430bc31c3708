"""Money arithmetic is exact: conversion rounds once, half-even to the cent; sums are exact on every database."""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from simple_history.utils import bulk_create_with_history

from cases.models import Case, Expense, Fund
from cases.money import ExpenseValues, budget_of, case_budget, expense_add, funds_summary, to_eur
from vault.keys import key_scope

pytestmark = pytest.mark.django_db


def exact_to_eur(amount: Decimal, rate: Decimal) -> Fraction:
    """The oracle: exact rational arithmetic, then half-even to the cent, written out by hand."""
    cents = Fraction(amount) * Fraction(rate) * 100
    whole = math.floor(cents)
    rest = cents - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    return Fraction(whole, 100)


@pytest.mark.parametrize(
    ("amount", "rate", "eur"),
    [
        ("0.25", "0.5", "0.12"),  # exactly half a cent: to the even cent, down
        ("0.35", "0.5", "0.18"),  # exactly half a cent: to the even cent, up
        ("100.00", "0.0105", "1.05"),
        ("12500.50", "0.0105", "131.26"),  # 131.25525
        ("1000000.00", "0.0000700000", "70.00"),
        ("999999.99", "1.1700000001", "1169999.99"),  # 1169999.9884... : the rate's tenth decimal counts
        ("-0.25", "0.5", "-0.12"),  # a reversing entry rounds as its mirror
    ],
)
def test_conversion_rounds_half_even_to_the_cent(amount, rate, eur):
    assert to_eur(Decimal(amount), Decimal(rate)) == Decimal(eur)
    assert Fraction(to_eur(Decimal(amount), Decimal(rate))) == exact_to_eur(Decimal(amount), Decimal(rate))


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_eur(12.5, Decimal("1"))


def random_expense(rng: random.Random) -> tuple[Decimal, Decimal]:
    amount = Decimal(rng.randint(1, 100_000_000)) / 100  # 0.01 to 1,000,000.00
    if rng.random() < 0.1:
        amount = Decimal(rng.choice([1, 3, 5, 7, 25, 35, 45])) / 100  # small amounts: many exact half cents
        return amount, Decimal("0.5")
    rate = Decimal(rng.randint(1, 30_000_000_000)) / Decimal(10_000_000_000)  # 0.0000000001 to 3.0
    return amount, rate


def test_ten_thousand_random_expenses_sum_exactly(case, caseworker):
    """Stored through the history helper (the service itself is timed in the test below), summed four ways."""
    rng = random.Random(4000)
    stage = case.stages.get(kind="evacuation")
    rows, oracle = [], Fraction(0)
    for number in range(10_000):
        amount, rate = random_expense(rng)
        oracle += exact_to_eur(amount, rate)
        rows.append(
            Expense(
                case=case,
                data_key_id=case.data_key_id,
                stage=stage,
                amount=amount,
                currency="USD",
                rate_to_eur=rate,
                amount_eur=to_eur(amount, rate),
                spent_on=datetime.date(2026, 3, 1),
                description=f"random {number}",
                state=rng.choice(["committed", "paid"]),
            )
        )
    with key_scope():
        bulk_create_with_history(rows, Expense, batch_size=1000)
    expected = Decimal(oracle.numerator) / Decimal(oracle.denominator)
    assert Fraction(case_budget(case).total) == oracle  # grouped SUM in SQL
    assert budget_of(case, list(Expense.objects.filter(case=case).select_related("stage"))).total == expected
    assert Case.objects.with_spending().get(pk=case.pk).spent_eur == expected  # the list's subquery
    summary = funds_summary()
    assert summary.committed + summary.paid == expected  # filtered SUMs over every case
    assert str(case_budget(case).total) == str(expected.quantize(Decimal("0.01")))


def test_expenses_recorded_through_the_service_add_up_exactly(case, caseworker):
    rng = random.Random(2017)
    case.budget_eur = Decimal("1000000.00")
    case.save()
    oracle = Fraction(0)
    with key_scope():
        for _number in range(150):
            amount = Decimal(rng.randint(1, 500_000)) / 100
            rate = Decimal(rng.randint(1, 20_000_000_000)) / Decimal(10_000_000_000)
            oracle += exact_to_eur(amount, rate)
            expense_add(
                case=case,
                user=caseworker,
                values=ExpenseValues(
                    stage=rng.choice(["shelter", "food", "evacuation"]),
                    amount=amount,
                    currency=rng.choice(["RUB", "GEL", "TRY", "ARS", "USD"]),
                    rate_to_eur=rate,
                    spent_on=datetime.date(2026, 3, 1),
                    state="paid",
                ),
                confirmed_eur=None,
            )
    budget = case_budget(case)
    assert Fraction(budget.paid) == oracle
    assert budget.remaining == Decimal("1000000.00") - budget.paid
    assert sum((row.total for row in budget.by_stage), Decimal(0)) == budget.total


def test_fund_sums_are_exact(coordinator):
    from cases.money import FundValues, fund_add

    rng = random.Random(7)
    oracle = Fraction(0)
    for _number in range(40):
        amount = Decimal(rng.randint(1, 500_000_000)) / 100
        rate = Decimal(rng.randint(1, 20_000_000_000)) / Decimal(10_000_000_000)
        oracle += exact_to_eur(amount, rate)
        fund_add(
            user=coordinator,
            values=FundValues(
                source="Fictional appeal",
                amount=amount,
                currency="SEK",
                rate_to_eur=rate,
                received_on=datetime.date(2026, 3, 1),
            ),
        )
    assert Fraction(funds_summary().received) == oracle
    assert Fund.objects.count() == 40
