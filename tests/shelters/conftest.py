"""Safe houses for the tests, made through the same services the pages use."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from shelters.services import case_place_in_shelter, shelter_create
from tests.shelters.money import receive, reverse, set_stage, spend
from vault.keys import key_scope

# Distinctive fictional sealed values of a safe house, so a scan of a response can spot any leak.
SHELTER_SECRETS = {
    "address": "Quuxhaus Lane 9, Fictionburg",
    "contact": "Keeper Plumbobova +7 999 000-11-22",
    "notes": "Notes-Fictional: the key is under the Vorbl stone.",
}


@pytest.fixture(autouse=True)
def dashboard_not_kept(settings):
    """Each request recomputes the dashboard here; test_dashboard_cache.py checks keeping it."""
    settings.PASSAGE_DASHBOARD_CACHE_SECONDS = 0


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
    """Shares the case with the lawyer the way the app does."""
    from documents.services import case_share

    case_share(case=case, lawyer=lawyer, by=by)


@pytest.fixture
def books(open_case, caseworker, coordinator, today):
    """Three resettled cases costing 3,500.00, 4,200.10 and 1,000.00; one open case 5,000.00 against a 4,000.00
    budget; one with 100.30 committed in three small amounts; 30,000.00 received, 2,000.00 of it restricted."""
    last_month = today.replace(day=1) - days(1)
    a, b, c, d, e = (open_case(caseworker) for _ in range(5))
    for case in (a, b, c):
        set_stage(case, "resettled", "done", started_on=today - days(3), ended_on=today - days(1), by=caseworker)
    spend(a, "shelter", "3000.00", on=last_month, by=caseworker)
    spend(a, "food", "500.00", on=today, state="committed", by=caseworker)
    spend(b, "travel_documents", "4200.10", on=today, by=caseworker)
    mistake = spend(b, "travel_documents", "50.00", on=last_month, by=caseworker)
    reverse(mistake, on=today, by=caseworker)
    spend(c, "psychological_support", "1000.00", on=today, by=caseworker)
    spend(d, "evacuation", "5000.00", on=today, by=caseworker)
    for amount in ("0.10", "0.10", "100.10"):
        spend(e, "clothing", amount, on=today, state="committed", by=caseworker)
    receive("28000.00", on=last_month, by=coordinator)
    receive("2000.00", on=today, restricted=True, source="Grant for psychological support", by=coordinator)
    return {"resettled": (a, b, c), "over": d, "small": e}
