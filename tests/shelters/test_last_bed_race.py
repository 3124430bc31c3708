"""Two coordinators place somebody in the last bed at the same moment, on two real database
connections: one gets it, the other is refused, and the house is never over capacity.

PostgreSQL only: SQLite has a single writer, so there is no race to lose there.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from shelters.models import Placement, Shelter
from shelters.services import PlacementError, case_place_in_shelter, placement_end
from vault.keys import key_scope

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def race(cases, shelter, coordinator, starts_on, *, before=None) -> tuple[list[str], list[BaseException]]:
    """Each case placed from its own thread (so its own connection), released together by a barrier."""
    start = threading.Barrier(len(cases) + (1 if before else 0))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def place(case) -> None:
        try:
            start.wait(timeout=10)
            with key_scope():
                case_place_in_shelter(case=case, shelter=shelter, starts_on=starts_on, by=coordinator)
            outcomes.append("placed")
        except PlacementError:
            outcomes.append("refused")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection; close it, or the flush waits on it

    threads = [threading.Thread(target=place, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    if before:
        start.wait(timeout=10)
        before()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes, errors


def test_two_coordinators_placing_the_last_bed_at_once_fill_it_once(
    open_case, caseworker, coordinator, make_shelter, today
):
    house = make_shelter(capacity=2)
    case_place_in_shelter(case=open_case(caseworker), shelter=house, starts_on=today, by=coordinator)
    for _round in range(5):
        contenders = [open_case(caseworker), open_case(caseworker)]
        outcomes, errors = race(contenders, house, coordinator, today)
        assert errors == []
        assert sorted(outcomes) == ["placed", "refused"]
        assert Placement.objects.filter(shelter=house).covering(today).count() == 2
        winner = Placement.objects.filter(case__in=contenders).get()
        placement_end(placement=winner, on=winner.starts_on, by=coordinator)  # cancel: the last bed is free again


def test_the_placing_service_waits_for_the_shelter_row_lock(open_case, caseworker, coordinator, make_shelter, today):
    """While another transaction holds the safe house's row, neither placement can go through:
    both wait for the lock, then go one after the other, and the second sees the first."""
    house = make_shelter(capacity=1)
    contenders = [open_case(caseworker), open_case(caseworker)]
    held = threading.Event()
    release = threading.Event()

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                Shelter.objects.select_for_update().get(pk=house.pk)
                held.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert held.wait(timeout=10)

    placed_meanwhile: list[int] = []

    def look_while_held() -> None:
        time.sleep(0.5)  # both placers are inside the service by now
        placed_meanwhile.append(Placement.objects.filter(shelter=house).count())
        release.set()

    outcomes, errors = race(contenders, house, coordinator, today, before=look_while_held)
    holder.join(timeout=10)

    assert errors == []
    assert placed_meanwhile == [0]  # nobody wrote while the row was locked by somebody else
    assert sorted(outcomes) == ["placed", "refused"]
    assert Placement.objects.filter(shelter=house).count() == 1
