"""The current stage is shown in every list of cases: the coordinator's assignments, the requests for a
place and the residents of a safe house, as the case list shows it (the stage, its state, the flags),
in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.services import case_unassign
from shelters.services import place_request_create
from tests.shelters.conftest import days
from tests.shelters.money import set_stage

pytestmark = pytest.mark.django_db

ASSIGNMENTS = "/dashboard/assignments/"
REQUESTS = "/shelters/requests/"


class _Tables(HTMLParser):
    """Every table row of a page as the text of its cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def stage_column(response, *, header: str = "Current stage") -> dict[str, str]:
    """The current-stage cell of each row, by the case reference in the row's first cell."""
    assert response.status_code == 200
    parser = _Tables()
    parser.feed(response.content.decode())
    heads = [row for row in parser.rows if header in row]
    assert len(heads) == 1, f"one table with a {header!r} column"
    column = heads[0].index(header)
    return {row[0]: row[column] for row in parser.rows if row and row is not heads[0] and len(row) > column}


@pytest.fixture
def staged(open_case, caseworker, today):
    """Three cases at three different places in the pipeline."""
    travelling = open_case(caseworker, risk="urgent")
    set_stage(travelling, "travel_documents", "in_progress", due_on=today - days(1), by=caseworker)
    stuck = open_case(caseworker)
    set_stage(stuck, "psychological_support", "blocked", blocked_reason="security", by=caseworker)
    fresh = open_case(caseworker)
    return travelling, stuck, fresh


EXPECTED = (
    # The stage, its state, and the flags: as templates/cases/case_list.html shows them.
    "Travel documents · in progress overdue",
    "Psychological support blocked",
    "Shelter · not started",
)


def assert_shown(column: dict[str, str], cases) -> None:
    assert {case.reference: column.get(case.reference) for case in cases} == {
        case.reference: expected for case, expected in zip(cases, EXPECTED, strict=True)
    }


def unassign(case, caseworker, coordinator) -> None:
    case_unassign(case=case, caseworker=caseworker, by=coordinator)


def test_the_assignment_page_shows_each_cases_current_stage(client_for, coordinator, caseworker, staged):
    for case in staged:
        unassign(case, caseworker, coordinator)
    assert_shown(stage_column(client_for(coordinator).get(ASSIGNMENTS)), staged)


def test_the_requests_for_a_place_show_each_cases_current_stage(client_for, coordinator, caseworker, staged, today):
    for case in staged:
        place_request_create(case=case, wanted_from=today, note="Ground floor, please.", by=caseworker)
    assert_shown(stage_column(client_for(coordinator).get(REQUESTS)), staged)


def test_the_residents_of_a_safe_house_show_their_current_stage(
    client_for, coordinator, make_shelter, place, staged, today
):
    house = make_shelter(capacity=3)
    for case in staged:
        place(case, house, today)
    assert_shown(stage_column(client_for(coordinator).get(f"/shelters/{house.pk}/")), staged)


def test_the_stage_is_shown_in_russian_too(client_for, coordinator, caseworker, staged):
    for case in staged:
        unassign(case, caseworker, coordinator)
    client = client_for(coordinator)
    client.post("/i18n/setlang/", {"language": "ru", "next": ASSIGNMENTS})
    column = stage_column(client.get(ASSIGNMENTS), header="Текущий этап")
    travelling, stuck, fresh = staged
    assert column[travelling.reference] == "Документы для выезда · в работе просрочен"
    assert column[stuck.reference] == "Психологическая поддержка заблокирован"
    assert column[fresh.reference] == "Убежище · не начат"


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_assignment_page_runs_the_same_queries_for_3_and_for_9_cases(
    client_for, coordinator, caseworker, open_case, staged
):
    client = client_for(coordinator)
    for case in staged:
        unassign(case, caseworker, coordinator)
    client.get(ASSIGNMENTS)
    few = count_queries(client, ASSIGNMENTS)
    for number in range(6):
        case = open_case(caseworker)
        set_stage(case, ("food", "evacuation", "clothing")[number % 3], "in_progress", by=caseworker)
        unassign(case, caseworker, coordinator)
    assert len(stage_column(client.get(ASSIGNMENTS))) == 9
    assert count_queries(client, ASSIGNMENTS) == few


def test_the_requests_for_a_place_run_the_same_queries_for_3_and_for_9_requests(
    client_for, coordinator, caseworker, open_case, staged, today
):
    client = client_for(coordinator)
    for case in staged:
        place_request_create(case=case, wanted_from=today, note="", by=caseworker)
    client.get(REQUESTS)
    few = count_queries(client, REQUESTS)
    for number in range(6):
        case = open_case(caseworker)
        set_stage(case, ("food", "evacuation", "clothing")[number % 3], "in_progress", by=caseworker)
        place_request_create(case=case, wanted_from=today + days(number), note="", by=caseworker)
    assert len(stage_column(client.get(REQUESTS))) == 9
    assert count_queries(client, REQUESTS) == few


def test_the_safe_house_page_runs_the_same_queries_for_1_and_for_6_residents(
    client_for, coordinator, caseworker, open_case, make_shelter, place, staged, today
):
    house = make_shelter(capacity=6)
    url = f"/shelters/{house.pk}/"
    client = client_for(coordinator)
    place(staged[0], house, today)
    client.get(url)
    few = count_queries(client, url)
    for case in (*staged[1:], *(open_case(caseworker) for _ in range(3))):
        place(case, house, today)
    assert len(stage_column(client.get(url))) == 6
    assert count_queries(client, url) == few
