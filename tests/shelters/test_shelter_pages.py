"""The safe-house pages: the list, a house, adding, editing and erasing one, for every persona."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessEvent
from shelters.models import Shelter
from shelters.services import shelter_update
from tests.shelters.conftest import SHELTER_SECRETS

pytestmark = pytest.mark.django_db

REFUSED = ["lawyer", "other_lawyer", "administrator"]


def body(response) -> str:
    return response.content.decode()


def assert_no_secret(response):
    text = body(response)
    for value in SHELTER_SECRETS.values():
        assert value not in text


# The list


def test_the_coordinator_lists_every_house_with_its_occupancy_and_no_address(
    client_for, coordinator, make_shelter, case, today, place
):
    house = make_shelter(capacity=2)
    closed = make_shelter()
    shelter_update(shelter=closed, by=coordinator, changes={"status": "closed"})
    place(case, house, today)
    response = client_for(coordinator).get("/shelters/")
    assert response.status_code == 200
    rows = {row.shelter.code_name: row for row in response.context["rows"]}
    assert set(rows) == {house.code_name, closed.code_name}
    assert (rows[house.code_name].occupied, rows[house.code_name].free) == (1, 1)
    assert_no_secret(response)


def test_a_caseworker_lists_open_houses_by_code_name_and_city_only(
    client_for, caseworker, coordinator, make_shelter, case, today, place
):
    house = make_shelter()
    closed = make_shelter()
    shelter_update(shelter=closed, by=coordinator, changes={"status": "closed"})
    place(case, house, today)
    response = client_for(caseworker).get("/shelters/")
    assert response.status_code == 200
    assert [shelter.code_name for shelter in response.context["shelters"]] == [house.code_name]
    assert case.reference in body(response)  # "your cases staying there tonight"
    assert "Fictionburg" in body(response)
    assert_no_secret(response)
    assert "rows" not in response.context  # no occupancy figures for caseworkers


@pytest.mark.parametrize("persona", REFUSED)
def test_other_roles_do_not_see_the_list(request, client_for, shelter, persona):
    response = client_for(request.getfixturevalue(persona)).get("/shelters/")
    assert response.status_code == 403
    assert_no_secret(response)


def test_an_anonymous_visitor_is_sent_to_sign_in(client_for, shelter):
    response = client_for(None).get("/shelters/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("persona", ["coordinator", "caseworker"])
def test_the_list_runs_a_fixed_number_of_queries(request, client_for, make_shelter, open_case, today, place, persona):
    client = client_for(request.getfixturevalue(persona))
    caseworker = request.getfixturevalue("caseworker")
    for _ in range(2):
        place(open_case(caseworker), make_shelter(), today)
    client.get("/shelters/")
    few = count_queries(client, "/shelters/")
    for _ in range(20):
        place(open_case(caseworker), make_shelter(), today)
    assert count_queries(client, "/shelters/") == few


# One house


def test_the_coordinator_reads_a_house_with_its_sealed_details_and_the_read_is_logged(
    client_for, coordinator, shelter, case, today, place
):
    place(case, shelter, today)
    response = client_for(coordinator).get(f"/shelters/{shelter.pk}/")
    assert response.status_code == 200
    for value in SHELTER_SECRETS.values():
        assert value in body(response)
    assert case.reference in body(response)
    event = AccessEvent.objects.filter(action="shelter_view").get()
    assert (event.username, event.target) == ("coord", shelter.code_name)


def test_the_house_page_runs_a_fixed_number_of_queries(
    client_for, coordinator, shelter, open_case, caseworker, today, place
):
    client = client_for(coordinator)
    place(open_case(caseworker), shelter, today)
    client.get(f"/shelters/{shelter.pk}/")
    few = count_queries(client, f"/shelters/{shelter.pk}/")
    for _ in range(3):
        place(open_case(caseworker), shelter, today)
    assert count_queries(client, f"/shelters/{shelter.pk}/") == few


@pytest.mark.parametrize("persona", REFUSED)
def test_other_roles_do_not_see_a_house(request, client_for, shelter, persona):
    response = client_for(request.getfixturevalue(persona)).get(f"/shelters/{shelter.pk}/")
    assert response.status_code == 403
    assert_no_secret(response)


def test_a_missing_house_and_a_closed_one_look_the_same_to_a_caseworker(client_for, caseworker, coordinator, shelter):
    shelter_update(shelter=shelter, by=coordinator, changes={"status": "closed"})
    client = client_for(caseworker)
    closed, missing = client.get(f"/shelters/{shelter.pk}/"), client.get("/shelters/999999/")
    assert closed.status_code == missing.status_code == 404
    assert [t.name for t in closed.templates] == [t.name for t in missing.templates]
    assert AccessEvent.objects.filter(action="refused", username="cw_assigned").count() == 2


# Adding and editing


def shelter_form(**values) -> dict:
    data = {"code_name": "Lighthouse", "city": "Fictionburg", "capacity": "6", "monthly_cost_eur": "850.00"}
    data.update(SHELTER_SECRETS)
    data.update(values)
    return data


def test_the_coordinator_adds_a_house(client_for, coordinator):
    response = client_for(coordinator).post("/shelters/new/", shelter_form())
    shelter = Shelter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/shelters/{shelter.pk}/"
    assert (shelter.code_name, shelter.capacity, str(shelter.monthly_cost_eur)) == ("Lighthouse", 6, "850.00")
    assert AccessEvent.objects.filter(action="shelter_change", target="Lighthouse").exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"capacity": "0"}, "at least one bed"),
        ({"capacity": "-2"}, "at least one bed"),
        ({"capacity": ""}, "This field is required"),
        ({"monthly_cost_eur": "-1"}, "cannot be negative"),
        ({"code_name": ""}, "This field is required"),
    ],
)
def test_bad_input_says_what_is_wrong_and_saves_nothing(client_for, coordinator, values, message):
    response = client_for(coordinator).post("/shelters/new/", shelter_form(**values))
    assert response.status_code == 200
    assert message in body(response)
    assert "Nothing was saved" in body(response)
    assert not Shelter.objects.exists()


def test_code_names_are_unique(client_for, coordinator, shelter):
    response = client_for(coordinator).post("/shelters/new/", shelter_form(code_name=shelter.code_name))
    assert response.status_code == 200
    assert Shelter.objects.count() == 1


@pytest.mark.parametrize("persona", ["caseworker", *REFUSED])
def test_only_coordinators_add_or_edit_houses(request, client_for, shelter, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.post("/shelters/new/", shelter_form(code_name="Other")).status_code == 403
    assert client.post(f"/shelters/{shelter.pk}/edit/", shelter_form(status="active")).status_code == 403
    assert client.post(f"/shelters/{shelter.pk}/erase/", {"confirm": shelter.code_name}).status_code == 403
    assert Shelter.objects.count() == 1
    shelter.refresh_from_db()
    assert shelter.code_name == "House-001"


def test_the_coordinator_edits_a_house(client_for, coordinator, shelter):
    client = client_for(coordinator)
    page = client.get(f"/shelters/{shelter.pk}/edit/")
    assert SHELTER_SECRETS["address"] in body(page)
    response = client.post(f"/shelters/{shelter.pk}/edit/", shelter_form(code_name="Harbour", status="active"))
    assert response.status_code == 302
    shelter.refresh_from_db()
    assert (shelter.code_name, shelter.capacity) == ("Harbour", 6)


def test_a_refused_edit_keeps_the_form_and_saves_nothing(client_for, coordinator, shelter, case, today, place):
    place(case, shelter, today)
    response = client_for(coordinator).post(
        f"/shelters/{shelter.pk}/edit/", shelter_form(status="closed", city="Changed")
    )
    assert response.status_code == 200
    assert "cannot be closed" in body(response)
    shelter.refresh_from_db()
    assert (shelter.status, shelter.city) == ("active", "Fictionburg")


def test_erasing_needs_the_code_name_typed_and_a_closed_house(client_for, coordinator, shelter):
    client = client_for(coordinator)
    response = client.post(f"/shelters/{shelter.pk}/erase/", {"confirm": "wrong"})
    assert "Type the code name" in body(response)
    response = client.post(f"/shelters/{shelter.pk}/erase/", {"confirm": shelter.code_name})
    assert "Close the safe house" in body(response)
    shelter_update(shelter=shelter, by=coordinator, changes={"status": "closed"})
    response = client.post(f"/shelters/{shelter.pk}/erase/", {"confirm": shelter.code_name})
    assert response.status_code == 302
    page = client.get(f"/shelters/{shelter.pk}/")
    assert page.status_code == 200
    assert "were erased" in body(page)
    assert_no_secret(page)
    assert client.get(f"/shelters/{shelter.pk}/edit/").status_code == 302


def test_the_request_queue_is_for_coordinators(client_for, coordinator, caseworker, lawyer, administrator):
    assert client_for(coordinator).get("/shelters/requests/").status_code == 200
    for user in (caseworker, lawyer, administrator):
        assert client_for(user).get("/shelters/requests/").status_code == 403
    assert client_for(None).get("/shelters/requests/").status_code == 302
