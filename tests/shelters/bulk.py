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
