"""Occupancy on known data: beds, taken tonight, free, arrivals and departures in the next 30 days, the flag."""

from __future__ import annotations

import pytest

from shelters.models import Shelter
from shelters.occupancy import occupancy_rows
from shelters.services import placement_end
from tests.shelters.conftest import days

pytestmark = pytest.mark.django_db


def row_of(shelter, today, full_at=90):
    annotated = Shelter.objects.with_occupancy(on=today).get(pk=shelter.pk)
    return occupancy_rows([annotated], today=today, full_at=full_at)[0]


def test_occupancy_counts_tonight_and_the_next_thirty_days(
    open_case, caseworker, coordinator, make_shelter, today, place
):
    house = make_shelter(capacity=10)
    new = lambda: open_case(caseworker)  # noqa: E731
    place(new(), house, today - days(30))  # here tonight, open-ended
    place(new(), house, today - days(5), today + days(3))  # here tonight, leaves in 3 days
    place(new(), house, today, today + days(31))  # arrives tonight: counts tonight, leaves after the horizon
    place(new(), house, today - days(9), today)  # left today: not here tonight
    place(new(), house, today + days(1), today + days(10))  # arrives and leaves within the horizon
    place(new(), house, today + days(30))  # arrives on the last day of the horizon
    place(new(), house, today + days(31))  # after the horizon: not counted
    cancelled = place(new(), house, today + days(2))
    placement_end(placement=cancelled, on=cancelled.starts_on, by=coordinator)  # cancelled: never counted

    row = row_of(house, today)
    assert (row.beds, row.occupied, row.free) == (10, 3, 7)
    assert (row.arrivals, row.departures) == (2, 2)  # days 1 and 30 arrive; days 3 and 10 leave
    assert row.horizon == today + days(30)
    assert row.occupied_at_horizon == 3  # the open-ended one, the one leaving on day 31, the day-30 arrival
    assert row.free_at_horizon == 7
    assert row.percent == 30
    assert not row.is_full


def test_a_house_is_flagged_at_the_threshold_and_not_below(open_case, caseworker, make_shelter, today, place):
    house = make_shelter(capacity=10)
    for _ in range(8):
        place(open_case(caseworker), house, today)
    assert not row_of(house, today).is_full  # 80%
    place(open_case(caseworker), house, today)
    assert row_of(house, today).is_full  # 90%
    assert not row_of(house, today, full_at=91).is_full


def test_the_flag_uses_exact_arithmetic(open_case, caseworker, make_shelter, today, place):
    house = make_shelter(capacity=3)
    for _ in range(2):
        place(open_case(caseworker), house, today)
    row = row_of(house, today, full_at=67)
    assert row.percent == 66  # 66.67% rounds down for display
    assert not row.is_full  # and 200 < 67 * 3 = 201: not flagged either
    assert row_of(house, today, full_at=66).is_full


def test_a_closed_house_is_never_flagged(coordinator, make_shelter, today):
    from shelters.services import shelter_update

    house = make_shelter(capacity=1)
    shelter_update(shelter=house, by=coordinator, changes={"status": "closed"})
    assert not row_of(house, today, full_at=1).is_full


def test_the_threshold_is_a_setting(settings, open_case, caseworker, make_shelter, today, place):
    from shelters.dashboard import shelter_figures

    house = make_shelter(capacity=2)
    place(open_case(caseworker), house, today)
    settings.PASSAGE_SHELTER_FULL_PERCENT = 50
    assert [row.shelter for row in shelter_figures(today=today, chart_title="", chart_description="").full] == [house]
    settings.PASSAGE_SHELTER_FULL_PERCENT = 90
    assert shelter_figures(today=today, chart_title="", chart_description="").full == []
