"""Safe houses for the tests, made through the same services the pages use."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from shelters.services import case_place_in_shelter, shelter_create
from vault.keys import key_scope

# Distinctive fictional sealed values of a safe house, so a scan of a response can spot any leak.
SHELTER_SECRETS = {
    "address": "Quuxhaus Lane 9, Fictionburg",
    "contact": "Keeper Plumbobova +7 999 000-11-22",
    "notes": "Notes-Fictional: the key is under the Vorbl stone.",
}


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def make_shelter(db, coordinator):
    counter = iter(range(1, 10_000))

    def make(capacity: int = 4, **values):
        data = {"code_name": f"House-{next(counter):03d}", "city": "Fictionburg", "capacity": capacity}
        data.update(SHELTER_SECRETS)
        data.update(values)
        with key_scope():
            return shelter_create(by=coordinator, data=data)

    return make


@pytest.fixture
def shelter(make_shelter):
    return make_shelter()


@pytest.fixture
def place(coordinator):
    """Places a case through the service, as the coordinator."""

    def run(case, shelter, starts_on, ends_on=None):
        return case_place_in_shelter(case=case, shelter=shelter, starts_on=starts_on, ends_on=ends_on, by=coordinator)

    return run


def days(number: int) -> datetime.timedelta:
    return datetime.timedelta(days=number)


def share_with_lawyer(case, lawyer, by) -> None:
    """Shares the case with the lawyer the way the app does (documents.services.case_share, once it exists)."""
    try:
        from documents.services import case_share
    except ImportError:  # before the documents feature: the object-level grant is the share
        from guardian.shortcuts import assign_perm

        assign_perm("cases.view_case", lawyer, case)
        return
    case_share(case=case, lawyer=lawyer, by=by)
