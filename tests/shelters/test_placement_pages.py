"""The placing pages: place, move, end, request, grant, decline, keep apart; each for every persona,
with bad input that saves nothing, and the safe-house section of the case page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shelters.models import KeepApart, Placement, PlacementRequest
from shelters.services import keep_apart_add, place_request_create
from tests.shelters.conftest import days, share_with_lawyer

pytestmark = pytest.mark.django_db

NOT_COORDINATORS = ["caseworker", "other_caseworker", "lawyer", "other_lawyer", "administrator"]


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def waiting(case, caseworker, today):
    return place_request_create(case=case, wanted_from=today, note="Ground floor, please.", by=caseworker)


@pytest.fixture
def stay(case, shelter, today, place):
    return place(case, shelter, today - days(1))


def coordinator_posts(case, shelter, stay=None, waiting=None, other=None) -> list[tuple[str, dict]]:
    base = f"/shelters/cases/{case.reference}"
    today = "2026-01-01"
    posts = [
        (f"{base}/place/", {"place-shelter": shelter.pk, "place-starts_on": today}),
        (f"{base}/move/", {"move-shelter": shelter.pk, "move-on": today}),
        (
            f"{base}/keep-apart/",
            {"apart-other": other.reference if other else "EV-2026-9999", "apart-reason": "safety"},
        ),
    ]
    if stay:
        posts.append((f"{base}/stays/{stay.pk}/end/", {"end-ends_on": today}))
    if waiting:
        posts.append((f"{base}/requests/{waiting.pk}/grant/", {"grant-shelter": shelter.pk, "grant-starts_on": today}))
        posts.append((f"{base}/requests/{waiting.pk}/decline/", {"decline-reason": "No"}))
    return posts


@pytest.mark.parametrize("persona", NOT_COORDINATORS)
def test_only_coordinators_place_move_end_decide_and_keep_apart(
    request, client_for, case, shelter, stay, waiting, open_case, persona
):
    other = open_case(request.getfixturevalue("caseworker"))
    client = client_for(request.getfixturevalue(persona))
    pair, _sharing = keep_apart_add(case=case, other=other, reason="safety", by=request.getfixturevalue("coordinator"))
    posts = coordinator_posts(case, shelter, stay, waiting, other)
    posts.append((f"/shelters/cases/{case.reference}/keep-apart/{pair.pk}/remove/", {}))
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
        assert client.get(url).status_code in (403, 405), url
    assert Placement.objects.count() == 1
    assert PlacementRequest.objects.get().is_pending
    assert KeepApart.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client_for, case, shelter, stay, waiting):
    client = client_for(None)
    for url, data in coordinator_posts(case, shelter, stay, waiting):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.post(f"/shelters/cases/{case.reference}/request/", {}).status_code == 302


def test_an_unknown_case_is_a_404_for_the_coordinator(client_for, coordinator, shelter):
    client = client_for(coordinator)
    assert client.get("/shelters/cases/EV-1999-9999/place/").status_code == 404
    assert client.post("/shelters/cases/EV-1999-9999/place/", {"place-shelter": shelter.pk}).status_code == 404


def test_a_stay_or_request_of_another_case_is_a_404(
    client_for, coordinator, caseworker, open_case, shelter, today, place
):
    one, two = open_case(caseworker), open_case(caseworker)
    stay = place(two, shelter, today)
    their_request = place_request_create(case=two, wanted_from=today, note="", by=caseworker)
    client = client_for(coordinator)
    assert client.get(f"/shelters/cases/{one.reference}/stays/{stay.pk}/end/").status_code == 404
    assert client.get(f"/shelters/cases/{one.reference}/requests/{their_request.pk}/grant/").status_code == 404


def test_the_coordinator_places_from_the_case_page(client_for, coordinator, case, shelter, today):
    client = client_for(coordinator)
    page = client.get(f"/cases/{case.reference}/")
    assert "place-shelter" in body(page)
    assert "4 of 4 beds free today" in body(page)
    response = client.post(
        f"/shelters/cases/{case.reference}/place/", {"place-shelter": shelter.pk, "place-starts_on": str(today)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/"
    assert Placement.objects.get().shelter == shelter
    page = client.get(f"/cases/{case.reference}/")
    assert f"Staying in {shelter.code_name}" in body(page)
    assert "move-shelter" in body(page)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"place-starts_on": "2026-05-10", "place-ends_on": "2026-05-01"}, "ends after the day it starts"),
        ({"place-starts_on": "2026-05-10", "place-ends_on": "2026-05-10"}, "ends after the day it starts"),
        ({"place-starts_on": "not a date"}, "Enter a valid date"),
        ({"place-starts_on": ""}, "This field is required"),
    ],
)
def test_bad_dates_say_what_is_wrong_and_place_nobody(client_for, coordinator, case, shelter, data, message):
    response = client_for(coordinator).post(
        f"/shelters/cases/{case.reference}/place/", {"place-shelter": shelter.pk, **data}
    )
    assert response.status_code == 200
    assert message in body(response)
    assert not Placement.objects.exists()


def test_a_closed_or_unknown_house_is_not_a_choice(client_for, coordinator, case, make_shelter, today):
    from shelters.services import shelter_update

    closed = make_shelter()
    shelter_update(shelter=closed, by=coordinator, changes={"status": "closed"})
    for pk in (closed.pk, 999999):
        response = client_for(coordinator).post(
            f"/shelters/cases/{case.reference}/place/", {"place-shelter": pk, "place-starts_on": str(today)}
        )
        assert "Choose an open safe house" in body(response)
    assert not Placement.objects.exists()


def test_a_full_house_is_refused_on_the_form(
    client_for, coordinator, caseworker, open_case, make_shelter, today, place
):
    full = make_shelter(capacity=1)
    place(open_case(caseworker), full, today)
    case = open_case(caseworker)
    response = client_for(coordinator).post(
        f"/shelters/cases/{case.reference}/place/", {"place-shelter": full.pk, "place-starts_on": str(today)}
    )
    assert response.status_code == 200
    assert "no free bed" in body(response)
    assert not Placement.objects.filter(case=case).exists()


def test_the_coordinator_moves_and_ends_a_stay(client_for, coordinator, case, stay, make_shelter, today):
    other = make_shelter()
    client = client_for(coordinator)
    page = body(client.get(f"/cases/{case.reference}/"))
    assert f"{other.code_name} · " in page
    assert f"{stay.shelter.code_name} · " not in page  # not offered as a place to move to
    response = client.post(f"/shelters/cases/{case.reference}/move/", {"move-shelter": other.pk, "move-on": str(today)})
    assert response.status_code == 302
    moved = Placement.objects.get(shelter=other)
    response = client.post(
        f"/shelters/cases/{case.reference}/stays/{moved.pk}/end/", {"end-ends_on": str(today + days(5))}
    )
    assert response.status_code == 302
    moved.refresh_from_db()
    assert moved.ends_on == today + days(5)
    response = client.post(f"/shelters/cases/{case.reference}/stays/{moved.pk}/end/", {"end-ends_on": "2000-01-01"})
    assert "cannot end before it starts" in body(response)
    moved.refresh_from_db()
    assert moved.ends_on == today + days(5)


def test_the_assigned_caseworker_requests_a_place_and_withdraws_it(client_for, caseworker, case, today):
    client = client_for(caseworker)
    page = client.get(f"/cases/{case.reference}/")
    assert "request-wanted_from" in body(page)
    response = client.post(
        f"/shelters/cases/{case.reference}/request/",
        {"request-wanted_from": str(today + days(2)), "request-note": "Ground floor, please."},
    )
    assert response.status_code == 302
    place_request = PlacementRequest.objects.get()
    assert (place_request.requested_by, place_request.wanted_from) == (caseworker, today + days(2))
    page = client.get(f"/cases/{case.reference}/")
    assert "Ground floor, please." in body(page)
    assert "request-wanted_from" not in body(page)  # one request at a time
    again = client.post(f"/shelters/cases/{case.reference}/request/", {"request-wanted_from": str(today)})
    assert "waiting already" in body(again)
    assert PlacementRequest.objects.count() == 1
    client.post(f"/shelters/cases/{case.reference}/requests/{place_request.pk}/withdraw/")
    place_request.refresh_from_db()
    assert place_request.status == "withdrawn"


def test_a_request_for_a_past_day_is_refused(client_for, caseworker, case, today):
    response = client_for(caseworker).post(
        f"/shelters/cases/{case.reference}/request/", {"request-wanted_from": str(today - days(1))}
    )
    assert response.status_code == 200
    assert "not in the past" in body(response)
    assert not PlacementRequest.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_caseworker", 404), ("coordinator", 403), ("lawyer", 403), ("administrator", 403)],
)
def test_only_the_cases_own_caseworker_requests_a_place(request, client_for, case, waiting, today, persona, status):
    client = client_for(request.getfixturevalue(persona))
    url = f"/shelters/cases/{case.reference}/request/"
    assert client.post(url, {"request-wanted_from": str(today)}).status_code == status
    assert client.post(f"/shelters/cases/{case.reference}/requests/{waiting.pk}/withdraw/").status_code == status
    assert PlacementRequest.objects.get().is_pending


def test_a_lawyer_the_case_is_shared_with_is_refused_too(client_for, lawyer, caseworker, case, waiting, today):
    share_with_lawyer(case, lawyer, caseworker)
    client = client_for(lawyer)
    assert client.get(f"/cases/{case.reference}/").status_code == 200
    assert client.post(f"/shelters/cases/{case.reference}/request/", {}).status_code == 403


def test_the_coordinator_grants_a_request_which_places_the_case(client_for, coordinator, case, shelter, waiting):
    client = client_for(coordinator)
    page = client.get(f"/shelters/cases/{case.reference}/requests/{waiting.pk}/grant/")
    assert "Ground floor, please." in body(page)  # the note is for the coordinator who decides
    response = client.post(
        f"/shelters/cases/{case.reference}/requests/{waiting.pk}/grant/",
        {"grant-shelter": shelter.pk, "grant-starts_on": str(waiting.wanted_from)},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by, waiting.placement.shelter) == ("granted", coordinator, shelter)
    again = client.post(
        f"/shelters/cases/{case.reference}/requests/{waiting.pk}/grant/",
        {"grant-shelter": shelter.pk, "grant-starts_on": str(waiting.wanted_from)},
    )
    assert "decided already" in body(again)
    assert Placement.objects.count() == 1


def test_granting_a_request_of_a_case_staying_elsewhere_moves_it(
    client_for, coordinator, case, stay, make_shelter, waiting, today
):
    other = make_shelter()
    client_for(coordinator).post(
        f"/shelters/cases/{case.reference}/requests/{waiting.pk}/grant/",
        {"grant-shelter": other.pk, "grant-starts_on": str(today + days(1))},
    )
    stay.refresh_from_db()
    assert stay.ends_on == today + days(1)
    assert Placement.objects.get(shelter=other).starts_on == today + days(1)


def test_a_refused_grant_leaves_the_request_waiting(
    client_for, coordinator, caseworker, open_case, case, make_shelter, waiting, today, place
):
    full = make_shelter(capacity=1)
    place(open_case(caseworker), full, today)
    response = client_for(coordinator).post(
        f"/shelters/cases/{case.reference}/requests/{waiting.pk}/grant/",
        {"grant-shelter": full.pk, "grant-starts_on": str(today)},
    )
    assert "no free bed" in body(response)
    waiting.refresh_from_db()
    assert waiting.is_pending


def test_the_coordinator_declines_with_a_reason_the_caseworker_reads(
    client_for, coordinator, caseworker, case, waiting
):
    client = client_for(coordinator)
    empty = client.post(f"/shelters/cases/{case.reference}/requests/{waiting.pk}/decline/", {"decline-reason": "  "})
    assert "This field is required" in body(empty) or "Say why" in body(empty)
    waiting.refresh_from_db()
    assert waiting.is_pending
    client.post(
        f"/shelters/cases/{case.reference}/requests/{waiting.pk}/decline/", {"decline-reason": "No bed until May."}
    )
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decline_reason) == ("declined", "No bed until May.")
    assert "No bed until May." in body(client_for(caseworker).get(f"/cases/{case.reference}/"))


def test_the_coordinator_keeps_two_cases_apart_and_lifts_it(client_for, coordinator, caseworker, case, open_case):
    other = open_case(caseworker)
    client = client_for(coordinator)
    response = client.post(
        f"/shelters/cases/{case.reference}/keep-apart/", {"apart-other": other.reference, "apart-reason": "same_town"}
    )
    assert response.status_code == 302
    pair = KeepApart.objects.get()
    assert {pair.case_a, pair.case_b} == {case, other}
    page = body(client.get(f"/cases/{other.reference}/"))
    assert case.reference in page and "From the same town" in page
    client.post(f"/shelters/cases/{other.reference}/keep-apart/{pair.pk}/remove/")
    assert not KeepApart.objects.exists()


@pytest.mark.parametrize(
    ("other", "message"),
    [("EV-1999-9999", "no case with that reference"), ("Zelimkhan", "no case with that reference"), ("self", "itself")],
)
def test_keeping_apart_from_a_bad_reference_says_so(client_for, coordinator, case, other, message):
    reference = case.reference if other == "self" else other
    response = client_for(coordinator).post(
        f"/shelters/cases/{case.reference}/keep-apart/", {"apart-other": reference, "apart-reason": "safety"}
    )
    assert response.status_code == 200
    assert message in body(response)
    assert not KeepApart.objects.exists()


def test_the_caseworker_sees_where_the_case_stays_but_no_coordinator_tools(client_for, caseworker, case, shelter, stay):
    page = body(client_for(caseworker).get(f"/cases/{case.reference}/"))
    assert f"Staying in {shelter.code_name}" in page
    assert f"/shelters/{shelter.pk}/" in page  # the way to the address
    assert "move-shelter" not in page and "apart-other" not in page


def test_a_lawyer_sees_nothing_of_the_safe_house(client_for, lawyer, caseworker, case, shelter, stay):
    share_with_lawyer(case, lawyer, caseworker)
    page = body(client_for(lawyer).get(f"/cases/{case.reference}/"))
    assert shelter.code_name not in page
    assert "safe-house-heading" not in page


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("persona", ["caseworker", "coordinator"])
def test_the_case_page_section_runs_a_fixed_number_of_queries(
    request, client_for, coordinator, caseworker, case, open_case, make_shelter, today, place, persona
):
    from shelters.services import placement_end

    client = client_for(request.getfixturevalue(persona))
    url = f"/cases/{case.reference}/"
    client.get(url)
    few = count_queries(client, url)
    for number in range(4):
        stay = place(case, make_shelter(), today + days(number * 10), today + days(number * 10 + 5))
        keep_apart_add(case=case, other=open_case(caseworker), reason="safety", by=coordinator)
    placement_end(placement=stay, on=stay.starts_on, by=coordinator)
    place_request_create(case=case, wanted_from=today, note="", by=caseworker)
    assert count_queries(client, url) == few
