"""Many rows quickly for the query-count tests: bulk inserts with real keys and history, no HTTP."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth.models import Permission
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from cases.models import Case, CaseUserObjectPermission
from shelters.models import Placement, Shelter
from vault import crypto
from vault.keys import _remember, key_scope, newest_master_key
from vault.models import DataKey

_numbers = itertools.count(500_000)


def _keys(count: int) -> list[DataKey]:
    master_id, master = newest_master_key()
    keys = []
    for _ in range(count):
        key = DataKey(master_key_id=master_id)
        clear = crypto.new_key()
        key.wrapped = crypto.wrap(master, clear, data_key_id=key.id)
        _remember(key.id, clear)
        keys.append(key)
    DataKey.objects.bulk_create(keys)
    return keys


def cases(count: int, *, caseworker: User, today: datetime.date, **values) -> list[Case]:
    """`count` cases assigned to `caseworker`, every fourth one at urgent risk, with one sealed value each."""
    view = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    change = Permission.objects.get(codename="change_case", content_type__app_label="cases")
    with key_scope():
        keys = _keys(count)
        rows = []
        for position, key in enumerate(keys):
            number = next(_numbers)
            fields = {
                "risk": Case.Risk.URGENT if position % 4 == 0 else Case.Risk.MEDIUM,
                "intake_date": today - datetime.timedelta(days=position % 300),
                **values,
            }
            rows.append(Case(data_key=key, reference=f"EV-2025-{number:06d}", legal_name=f"Bulk {number}", **fields))
        made = bulk_create_with_history(rows, Case, batch_size=500)
        made = list(Case.objects.filter(reference__in=[row.reference for row in rows]).order_by("pk"))
    CaseUserObjectPermission.objects.bulk_create(
        [
            CaseUserObjectPermission(content_object=case, user=caseworker, permission=p)
            for case in made
            for p in (view, change)
        ]
    )
    return made


def shelters(count: int, *, capacity: int = 8) -> list[Shelter]:
    with key_scope():
        keys = _keys(count)
        rows = [
            Shelter(
                data_key=key, code_name=f"Bulk-{next(_numbers)}", city="Fictionburg", capacity=capacity, address="x"
            )
            for key in keys
        ]
        bulk_create_with_history(rows, Shelter, batch_size=500)
    return list(Shelter.objects.filter(code_name__in=[row.code_name for row in rows]).order_by("pk"))


def placements(cases: list[Case], houses: list[Shelter], *, today: datetime.date) -> None:
    """One stay per case, spread over the houses, never over capacity (the services are bypassed)."""
    rows = []
    beds = itertools.cycle([(house, bed) for house in houses for bed in range(house.capacity)])
    for position, case in enumerate(cases):
        house, _bed = next(beds)
        starts = today - datetime.timedelta(days=position % 20)
        ends = None if position % 3 else today + datetime.timedelta(days=position % 40 + 1)
        rows.append(Placement(case=case, shelter=house, starts_on=starts, ends_on=ends))
    bulk_create_with_history(rows, Placement, batch_size=500)


def case_work(cases: list[Case], *, today: datetime.date) -> None:
    """For each case: its eight stages (some done, blocked or overdue), two expenses, and a travel paper;
    and some funds. Rows as the case-work services write them, inserted in bulk."""
    from decimal import Decimal

    from cases.models import STAGE_POSITION, Expense, Fund, Stage, TravelPaper

    with key_scope():
        stages = []
        for position, case in enumerate(cases):
            for kind in Stage.Kind.values:
                status, reason, due_on = Stage.Status.NOT_STARTED, "", None
                if kind == Stage.Kind.RESETTLED and position % 5 == 0:
                    status = Stage.Status.DONE
                elif kind == Stage.Kind.TRAVEL_DOCUMENTS and position % 7 == 0:
                    status, reason = Stage.Status.BLOCKED, Stage.BlockedReason.WAITING_EMBASSY
                elif kind == Stage.Kind.EVACUATION and position % 3 == 0:
                    status, due_on = Stage.Status.IN_PROGRESS, today - datetime.timedelta(days=2)
                stages.append(
                    Stage(
                        case=case,
                        data_key_id=case.data_key_id,
                        kind=kind,
                        position=STAGE_POSITION[kind],
                        status=status,
                        blocked_reason=reason,
                        due_on=due_on,
                        ended_on=today if status == Stage.Status.DONE else None,
                    )
                )
        bulk_create_with_history(stages, Stage, batch_size=1000)
        by_case = {(stage.case_id, stage.kind): stage for stage in Stage.objects.filter(case__in=cases)}
        expenses, papers = [], []
        for position, case in enumerate(cases):
            for kind, amount in ((Stage.Kind.SHELTER, "1200.50"), (Stage.Kind.TRAVEL_DOCUMENTS, "2999.99")):
                expenses.append(
                    Expense(
                        case=case,
                        data_key_id=case.data_key_id,
                        stage=by_case[(case.pk, kind)],
                        amount=Decimal(amount),
                        currency="EUR",
                        rate_to_eur=Decimal(1),
                        amount_eur=Decimal(amount),
                        spent_on=today - datetime.timedelta(days=position % 200),
                        state=Expense.State.PAID if position % 2 else Expense.State.COMMITTED,
                        description="Bulk expense",
                    )
                )
            papers.append(
                TravelPaper(
                    case=case,
                    data_key_id=case.data_key_id,
                    kind=TravelPaper.Kind.VISA,
                    status=TravelPaper.Status.OBTAINED,
                    expires_on=today + datetime.timedelta(days=position % 90),
                )
            )
        bulk_create_with_history(expenses, Expense, batch_size=1000)
        bulk_create_with_history(papers, TravelPaper, batch_size=1000)
    funds = [
        Fund(
            source=f"Bulk appeal {number}",
            amount=Decimal("5000.00"),
            currency="EUR",
            rate_to_eur=Decimal(1),
            amount_eur=Decimal("5000.00"),
            received_on=today - datetime.timedelta(days=number),
        )
        for number in range(max(len(cases) // 10, 1))
    ]
    bulk_create_with_history(funds, Fund, batch_size=1000)
