"""Placing, moving and ending stays: never over capacity on any night, nobody in two places,
kept-apart cases never together, and a refusal that saves nothing."""

from __future__ import annotations

import pytest

from audit.models import AccessEvent
from cases.services import case_erase, case_update
from shelters.models import KeepApart, Placement
from shelters.services import (
    PlacementError,
    case_move_to_shelter,
    case_place_in_shelter,
    first_night_at_least,
    keep_apart_add,
    keep_apart_remove,
    placement_end,
    shelter_update,
)
from tests.shelters.conftest import days
from vault.keys import key_scope

pytestmark = pytest.mark.django_db


def test_a_coordinator_places_a_case_and_it_is_logged_and_kept_in_history(case, shelter, coordinator, today, place):
    stay = place(case, shelter, today)
    assert (stay.case, stay.shelter, stay.starts_on, stay.ends_on) == (case, shelter, today, None)
    assert stay.history.get().history_user == coordinator
    event = AccessEvent.objects.get(action="placement")
    assert (event.case_reference, event.target, event.username) == (case.reference, shelter.code_name, "coord")


def test_the_last_bed_goes_once(open_case, caseworker, make_shelter, today, place):
    house = make_shelter(capacity=1)
    place(open_case(caseworker), house, today)
    with pytest.raises(PlacementError, match="no free bed on"):
        place(open_case(caseworker), house, today)
    assert Placement.objects.count() == 1


def test_capacity_is_checked_over_every_night_of_the_stay(open_case, caseworker, make_shelter, today, place):
    house = make_shelter(capacity=1)
    place(open_case(caseworker), house, today + days(10), today + days(12))
    # Free tonight, but somebody is booked to arrive on day 10: an open-ended stay from today would collide.
    with pytest.raises(PlacementError) as refused:
        place(open_case(caseworker), house, today)
    assert str(today + days(10)) in str(refused.value)
    # A stay that leaves on the day the other arrives fits: the bed is free again that night.
    fits = place(open_case(caseworker), house, today, today + days(10))
    # And so does one that arrives on the day the booked one leaves.
    after = place(open_case(caseworker), house, today + days(12))
    assert Placement.objects.filter(pk__in=[fits.pk, after.pk]).count() == 2


def test_a_stay_ending_before_it_starts_is_refused(case, shelter, today, place):
    for ends_on in (today, today - days(1)):
        with pytest.raises(PlacementError, match="ends after the day it starts"):
            place(case, shelter, today, ends_on)
    assert not Placement.objects.exists()


def test_a_case_placed_elsewhere_on_those_nights_is_refused(case, make_shelter, today, place):
    first, second = make_shelter(), make_shelter()
    place(case, first, today)
    with pytest.raises(PlacementError, match="already placed in House-001"):
        place(case, second, today + days(3))
    with pytest.raises(PlacementError, match="already placed"):
        place(case, first, today + days(3))  # the same house twice is an overlap too
    assert Placement.objects.count() == 1


def test_a_case_can_have_a_later_stay_after_one_that_ends(case, make_shelter, today, place):
    first, second = make_shelter(), make_shelter()
    place(case, first, today, today + days(5))
    place(case, second, today + days(5))
    assert Placement.objects.filter(case=case).count() == 2


def test_a_closed_safe_house_takes_nobody(case, shelter, coordinator, today, place):
    shelter_update(shelter=shelter, by=coordinator, changes={"status": "closed"})
    with pytest.raises(PlacementError, match="is closed"):
        place(case, shelter, today)
    assert not Placement.objects.exists()


def test_closed_and_erased_cases_are_not_placed(open_case, caseworker, shelter, coordinator, today, place):
    closed = open_case(caseworker)
    with key_scope():
        case_update(case=closed, user=caseworker, expected_version=1, changes={"status": "closed"})
    with pytest.raises(PlacementError, match="is closed"):
        place(closed, shelter, today)
    erased = open_case(caseworker)
    case_erase(case=erased, by=None)
    with pytest.raises(PlacementError, match="erased"):
        place(erased, shelter, today)
    assert not Placement.objects.exists()


def test_cases_kept_apart_are_never_placed_together(open_case, caseworker, make_shelter, coordinator, today, place):
    house, other_house = make_shelter(), make_shelter()
    one, two = open_case(caseworker), open_case(caseworker)
    keep_apart_add(case=one, other=two, reason="family_conflict", by=coordinator)
    place(one, house, today, today + days(7))
    with pytest.raises(PlacementError) as refused:
        place(two, house, today + days(6))
    message = str(refused.value)
    assert one.reference in message and two.reference in message and "family conflict" in message
    # Elsewhere, or in the same house once the other has left, is fine.
    place(two, other_house, today)
    case_move_to_shelter(case=two, shelter=house, on=today + days(7), by=coordinator)
    assert Placement.objects.filter(case=two, shelter=house).exists()


def test_the_keep_apart_mark_works_whichever_case_is_placed_first(open_case, caseworker, shelter, coordinator, today):
    one, two = open_case(caseworker), open_case(caseworker)
    keep_apart_add(case=two, other=one, reason="same_town", by=coordinator)
    case_place_in_shelter(case=two, shelter=shelter, starts_on=today, by=coordinator)
    with pytest.raises(PlacementError, match="kept apart"):
        case_place_in_shelter(case=one, shelter=shelter, starts_on=today, by=coordinator)


def test_a_pair_is_kept_apart_once_and_never_with_itself(open_case, caseworker, coordinator):
    one, two = open_case(caseworker), open_case(caseworker)
    keep_apart_add(case=one, other=two, reason="same_town", by=coordinator)
    with pytest.raises(PlacementError, match="kept apart already"):
        keep_apart_add(case=two, other=one, reason="safety", by=coordinator)
    with pytest.raises(PlacementError, match="itself"):
        keep_apart_add(case=one, other=one, reason="safety", by=coordinator)
    assert KeepApart.objects.count() == 1


def test_marking_a_pair_already_together_says_where(open_case, caseworker, shelter, coordinator, today, place):
    one, two = open_case(caseworker), open_case(caseworker)
    place(one, shelter, today)
    place(two, shelter, today)
    _pair, sharing = keep_apart_add(case=one, other=two, reason="safety", by=coordinator)
    assert sharing == [shelter.code_name]


def test_lifting_a_keep_apart_mark_lets_them_share(open_case, caseworker, shelter, coordinator, today, place):
    one, two = open_case(caseworker), open_case(caseworker)
    pair, _sharing = keep_apart_add(case=one, other=two, reason="safety", by=coordinator)
    keep_apart_remove(pair=pair, by=coordinator)
    place(one, shelter, today)
    place(two, shelter, today)
    assert KeepApart.history.filter(history_type="-").exists()


def test_a_move_ends_one_stay_and_starts_the_next_on_the_same_day(case, make_shelter, coordinator, today, place):
    first, second = make_shelter(), make_shelter()
    stay = place(case, first, today - days(3), today + days(20))
    moved = case_move_to_shelter(case=case, shelter=second, on=today, by=coordinator)
    stay.refresh_from_db()
    assert stay.ends_on == today
    assert (moved.shelter, moved.starts_on, moved.ends_on) == (second, today, today + days(20))


def test_a_refused_move_changes_nothing(open_case, caseworker, make_shelter, coordinator, today, place):
    first, full = make_shelter(), make_shelter(capacity=1)
    case = open_case(caseworker)
    stay = place(case, first, today)
    place(open_case(caseworker), full, today)
    with pytest.raises(PlacementError, match="no free bed"):
        case_move_to_shelter(case=case, shelter=full, on=today, by=coordinator)
    stay.refresh_from_db()
    assert stay.ends_on is None  # the stay it would have left is untouched
    assert Placement.objects.filter(case=case).count() == 1


def test_moving_needs_a_stay_and_another_house(case, make_shelter, coordinator, today, place):
    first = make_shelter()
    with pytest.raises(PlacementError, match="not in a safe house"):
        case_move_to_shelter(case=case, shelter=first, on=today, by=coordinator)
    place(case, first, today)
    with pytest.raises(PlacementError, match="already"):
        case_move_to_shelter(case=case, shelter=first, on=today, by=coordinator)


def test_ending_a_stay_frees_the_bed_from_that_day(open_case, caseworker, make_shelter, coordinator, today, place):
    house = make_shelter(capacity=1)
    stay = place(open_case(caseworker), house, today - days(2))
    placement_end(placement=stay, on=today + days(1), by=coordinator)
    place(open_case(caseworker), house, today + days(1))
    with pytest.raises(PlacementError, match="cannot end before it starts"):
        placement_end(placement=stay, on=today - days(3), by=coordinator)


def test_ending_a_stay_on_its_first_day_cancels_it(open_case, caseworker, make_shelter, coordinator, today, place):
    house = make_shelter(capacity=1)
    stay = place(open_case(caseworker), house, today + days(1))
    cancelled = placement_end(placement=stay, on=stay.starts_on, by=coordinator)
    assert cancelled.is_cancelled
    place(open_case(caseworker), house, today)  # the bed is free on every night again
    assert stay.history.first().history_change_reason == "cancelled"


def test_lengthening_a_stay_is_checked_like_a_new_one(open_case, caseworker, make_shelter, coordinator, today, place):
    house = make_shelter(capacity=1)
    stay = place(open_case(caseworker), house, today, today + days(5))
    place(open_case(caseworker), house, today + days(8))
    placement_end(placement=stay, on=today + days(8), by=coordinator)  # up to the day the next one arrives
    with pytest.raises(PlacementError, match="no free bed"):
        placement_end(placement=stay, on=today + days(9), by=coordinator)
    stay.refresh_from_db()
    assert stay.ends_on == today + days(8)


def test_fewer_beds_than_booked_is_refused(open_case, caseworker, make_shelter, coordinator, today, place):
    house = make_shelter(capacity=2)
    place(open_case(caseworker), house, today)
    place(open_case(caseworker), house, today + days(4))
    with pytest.raises(PlacementError, match=str(today + days(4))):
        shelter_update(shelter=house, by=coordinator, changes={"capacity": 1})
    house.refresh_from_db()
    assert house.capacity == 2


def test_a_house_with_people_in_it_is_not_closed(case, shelter, coordinator, today, place):
    place(case, shelter, today + days(3))  # planned counts as well
    with pytest.raises(PlacementError, match="cannot be closed"):
        shelter_update(shelter=shelter, by=coordinator, changes={"status": "closed"})
    shelter.refresh_from_db()
    assert shelter.is_active


@pytest.mark.parametrize(
    ("spans", "people", "expected"),
    [
        ([], 1, None),
        ([(1, None)], 1, 1),
        ([(1, 5), (5, None)], 2, None),  # one leaves the day the other arrives
        ([(1, 5), (4, None)], 2, 4),
        ([(3, 3)], 1, None),  # cancelled: no night
        ([(-5, 2)], 1, 0),  # began before the range: counts from its first night
        ([(20, None)], 1, None),  # after the range
    ],
)
def test_the_occupancy_sweep(today, spans, people, expected):
    dated = [(today + days(start), None if end is None else today + days(end)) for start, end in spans]
    found = first_night_at_least(dated, today, today + days(10), people)
    assert found == (None if expected is None else today + days(expected))
