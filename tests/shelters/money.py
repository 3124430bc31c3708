"""Stages, papers, expenses and funds for the dashboard tests, written as the case-work pages write them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from cases.models import Case, Expense, Fund, Stage, TravelPaper
from vault.keys import key_scope


def set_stage(case: Case, kind: str, status: str, **values) -> Stage:
    with key_scope():
        stage = Stage.objects.get(case=case, kind=kind)
        stage.status = status
        for name, value in values.items():
            setattr(stage, name, value)
        stage.save()
    return stage


def spend(
    case: Case,
    kind: str,
    amount_eur: str,
    *,
    on: datetime.date,
    state: str = Expense.State.PAID,
    reverses: Expense | None = None,
    description: str = "",
) -> Expense:
    """An expense in EUR (rate 1), as the expense form records one."""
    amount = Decimal(amount_eur)
    with key_scope():
        expense = Expense(
            case=case,
            data_key_id=case.data_key_id,
            stage=Stage.objects.get(case=case, kind=kind),
            amount=amount,
            currency="EUR",
            rate_to_eur=Decimal(1),
            amount_eur=amount,
            spent_on=on,
            state=state,
            reverses=reverses,
            description=description,
        )
        expense.save()
    return expense


def reverse(expense: Expense, *, on: datetime.date) -> Expense:
    return spend(
        expense.case, expense.stage.kind, str(-expense.amount_eur), on=on, state=Expense.State.PAID, reverses=expense
    )


def receive(amount_eur: str, *, on: datetime.date, restricted: bool = False, source: str = "Spring appeal") -> Fund:
    amount = Decimal(amount_eur)
    fund = Fund(
        source=source,
        amount=amount,
        currency="EUR",
        rate_to_eur=Decimal(1),
        amount_eur=amount,
        received_on=on,
        restricted=restricted,
    )
    fund.save()
    return fund


def paper(
    case: Case, *, expires_on: datetime.date, status: str = TravelPaper.Status.OBTAINED, notes: str = ""
) -> TravelPaper:
    with key_scope():
        travel_paper = TravelPaper(
            case=case,
            data_key_id=case.data_key_id,
            kind=TravelPaper.Kind.INTERNATIONAL_PASSPORT,
            status=status,
            expires_on=expires_on,
            notes=notes,
        )
        travel_paper.save()
    return travel_paper
