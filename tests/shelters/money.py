"""Stages, papers, expenses and funds for the dashboard tests, made through the case-work services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from accounts.models import User
from cases.models import Case, Expense, Fund, Stage, TravelPaper
from cases.money import ExpenseValues, FundValues, expense_add, expense_reverse, fund_add
from cases.stages import PaperValues, StageChange, paper_add, stage_update
from vault.keys import key_scope


def set_stage(case: Case, kind: str, status: str, *, by: User, **values) -> Stage:
    """Changes a stage as the stage form does; one of the way out done early gets a reason, as the form asks."""
    with key_scope():
        stage = Stage.objects.get(case=case, kind=kind)
        change = StageChange(status=status, out_of_order_reason="Fictional: done early in the test.", **values)
        return stage_update(case=case, kind=kind, user=by, expected_version=stage.version, change=change)


def spend(
    case: Case,
    kind: str,
    amount_eur: str,
    *,
    on: datetime.date,
    by: User,
    state: str = Expense.State.PAID,
    description: str = "",
) -> Expense:
    """An expense in EUR, recorded as the expense form records one (over budget: confirmed)."""
    amount = Decimal(amount_eur)
    values = ExpenseValues(stage=kind, amount=amount, currency="EUR", spent_on=on, state=state, description=description)
    with key_scope():
        return expense_add(case=case, user=by, values=values, confirmed_eur=amount)


def reverse(expense: Expense, *, by: User, on: datetime.date) -> Expense:
    with key_scope():
        return expense_reverse(expense=expense, user=by, reason="Fictional: recorded twice.", on_date=on)


def receive(
    amount_eur: str, *, on: datetime.date, by: User, restricted: bool = False, source: str = "Spring appeal"
) -> Fund:
    values = FundValues(
        source=source, amount=Decimal(amount_eur), currency="EUR", received_on=on, restricted=restricted
    )
    return fund_add(user=by, values=values)


def paper(
    case: Case,
    *,
    expires_on: datetime.date,
    by: User,
    status: str = TravelPaper.Status.OBTAINED,
    notes: str = "",
) -> TravelPaper:
    values = PaperValues(
        kind=TravelPaper.Kind.INTERNATIONAL_PASSPORT, status=status, expires_on=expires_on, notes=notes
    )
    with key_scope():
        return paper_add(case=case, user=by, values=values)
