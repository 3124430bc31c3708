"""The coordinator's dashboard: what it shows, to whom, nothing sealed, and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shelters.services import keep_apart_add, place_request_create
from tests.conftest import SEALED_VALUES
from tests.shelters import bulk
from tests.shelters.conftest import SHELTER_SECRETS, days

pytestmark = pytest.mark.django_db

URL = "/dashboard/"
NOTE = "Note-Fictional: needs the Vorbl medicine."


def body(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("persona", ["caseworker", "other_caseworker", "lawyer", "other_lawyer", "administrator"])
def test_only_coordinators_see_the_dashboard(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client_for):
    response = client_for(None).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_dashboard_shows_occupancy_with_a_chart_and_its_text_alternative(
    client_for, coordinator, caseworker, open_case, make_shelter, today, place
):
    house = make_shelter(capacity=2)
    place(open_case(caseworker), house, today)
    place(open_case(caseworker), house, today + days(3))
    response = client_for(coordinator).get(URL)
    assert response.status_code == 200
    page = body(response)
    assert "<svg" in page and 'role="img"' in page and "<title" in page and "<desc" in page
    assert "<script" not in page and "style=" not in page
    assert house.code_name in page
    [row] = response.context["shelters"].rows
    assert (row.occupied, row.free, row.arrivals) == (1, 1, 1)
    assert "1 of 2 beds taken tonight" in page


def test_the_alerts_name_full_houses_urgent_cases_without_a_bed_requests_and_kept_apart_pairs(
    client_for, coordinator, caseworker, open_case, make_shelter, today, place
):
    full = make_shelter(capacity=1)
    placed_urgent = open_case(caseworker, risk="urgent")
    place(placed_urgent, full, today)
    homeless = open_case(caseworker, risk="urgent")
    waiting = open_case(caseworker, risk="low")
    place_request_create(case=waiting, wanted_from=today, note=NOTE, by=caseworker)
    house = make_shelter()
    one, two = open_case(caseworker), open_case(caseworker)
    place(one, house, today)
    place(two, house, today + days(5))
    keep_apart_add(case=one, other=two, reason="family_conflict", by=coordinator)

    response = client_for(coordinator).get(URL)
    alerts = response.context["alerts"]
    assert [row.shelter for row in alerts["full"]] == [full]
    assert alerts["urgent_unplaced"].references == [homeless.reference]
    assert (alerts["requests_waiting"], alerts["requests_due"]) == (1, 1)
    assert alerts["kept_apart_together"] == [(one.reference, two.reference, "Family conflict")]
    page = body(response)
    assert homeless.reference in page and placed_urgent.reference not in page


def test_the_dashboard_holds_no_sealed_value(client_for, coordinator, caseworker, open_case, shelter, today, place):
    case = open_case(caseworker, risk="urgent")
    other = open_case(caseworker, risk="urgent")
    place(case, shelter, today)
    place_request_create(case=other, wanted_from=today, note=NOTE, by=caseworker)
    page = body(client_for(coordinator).get(URL))
    for value in [*SEALED_VALUES.values(), *SHELTER_SECRETS.values(), NOTE, "1990-05-17"]:
        assert value not in page


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context.captured_queries)


def test_the_dashboard_runs_the_same_number_of_queries_for_10_and_for_1000_cases(
    client_for, coordinator, caseworker, today
):
    client = client_for(coordinator)
    houses = bulk.shelters(3)
    few = bulk.cases(10, caseworker=caseworker, today=today)
    bulk.placements(few[:5], houses, today=today)
    bulk.case_work(few, today=today)
    client.get(URL)
    with_ten = count_queries(client)

    houses += bulk.shelters(60)
    many = bulk.cases(990, caseworker=caseworker, today=today)
    bulk.placements(many[:400], houses[3:], today=today)
    bulk.case_work(many, today=today)
    response = client.get(URL)
    assert response.context["money"].costs.cases == 200  # every fifth of the 1,000 is resettled
    assert response.context["pipeline"].blocked_total == 2 + 142  # every seventh
    assert count_queries(client) == with_ten
