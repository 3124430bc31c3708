"""The coordinator's access-log page: entries newest first, filters, unusual reading, and nobody else."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Action
from audit.services import record_access

pytestmark = pytest.mark.django_db

URL = "/audit/"


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Entries recorded inside are stamped with this moment (only the clock is stood still)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def read_cases(user, count: int, *, prefix: str = "EV-2026-", times: int = 1) -> None:
    for number in range(count):
        for _ in range(times):
            record_access(user=user, action=Action.CASE_VIEW, case_reference=f"{prefix}{number:04d}")


def shown(response) -> list[tuple[str, str]]:
    return [(event.username, event.case_reference) for event in response.context["page"].object_list]


def test_the_coordinator_sees_entries_newest_first(client_for, coordinator, caseworker, lawyer):
    record_access(user=caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0001", target="stage 2")
    record_access(user=lawyer, action=Action.SUMMARY_EXPORT, case_reference="EV-2026-0002")
    response = client_for(coordinator).get(URL)
    assert response.status_code == 200
    assert shown(response) == [("lawyer_shared", "EV-2026-0002"), ("cw_assigned", "EV-2026-0001")]
    body = response.content.decode()
    assert "Exported a case summary" in body
    assert "Opened a case" in body
    assert "stage 2" in body
    assert "2 entries" in body


def test_the_coordinator_finds_the_page_in_the_navigation(client_for, coordinator):
    response = client_for(coordinator).get(URL)
    assert ("audit:log", "Access log") in [(url, str(label)) for url, label in response.context["nav_items"]]


def test_it_filters_by_user_and_by_case(client_for, coordinator, caseworker, other_caseworker):
    record_access(user=caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0001")
    record_access(user=other_caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0001")
    record_access(user=other_caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0002")
    client = client_for(coordinator)
    assert shown(client.get(URL, {"username": "cw_other"})) == [
        ("cw_other", "EV-2026-0002"),
        ("cw_other", "EV-2026-0001"),
    ]
    assert shown(client.get(URL, {"case_reference": " EV-2026-0001 "})) == [
        ("cw_other", "EV-2026-0001"),
        ("cw_assigned", "EV-2026-0001"),
    ]
    both = {"username": "cw_assigned", "case_reference": "EV-2026-0002"}
    assert shown(client.get(URL, both)) == []
    assert "No entries match." in client.get(URL, both).content.decode()


def test_it_filters_by_days_with_the_last_day_included(client_for, coordinator, caseworker):
    for day, reference in ((1, "EV-2026-0001"), (2, "EV-2026-0002"), (3, "EV-2026-0003")):
        with clock_at(datetime(2026, 3, day, 23, 59, 59, 999999, tzinfo=UTC)):
            record_access(user=caseworker, action=Action.CASE_VIEW, case_reference=reference)
    client = client_for(coordinator)

    def references(query: dict) -> list[str]:
        return [reference for _user, reference in shown(client.get(URL, query))]

    assert references({"date_from": "2026-03-02"}) == ["EV-2026-0003", "EV-2026-0002"]
    assert references({"date_to": "2026-03-02"}) == ["EV-2026-0002", "EV-2026-0001"]
    assert references({"date_from": "2026-03-02", "date_to": "2026-03-02"}) == ["EV-2026-0002"]
    assert references({"date_from": "2026-03-04"}) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "yesterday-ish"}, "Enter a date as YYYY-MM-DD"),
        ({"date_to": "2026-02-30"}, "Enter a date as YYYY-MM-DD"),
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "The end date is before the start date."),
        ({"username": "x" * 151}, "at most 150 characters"),
    ],
)
def test_bad_filter_input_is_explained_on_the_form(client_for, coordinator, caseworker, query, message):
    record_access(user=caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0001")
    response = client_for(coordinator).get(URL, query)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "The filter was not applied" in body
    assert "EV-2026-0001" not in body  # nothing is shown under a filter that did not apply


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1e9"])
def test_a_bad_page_number_shows_a_page(client_for, coordinator, caseworker, page):
    read_cases(caseworker, 3)
    assert client_for(coordinator).get(URL, {"page": page}).status_code == 200


def test_it_shows_fifty_entries_a_page_and_keeps_the_filter_across_pages(client_for, coordinator, caseworker):
    read_cases(caseworker, 120)
    client = client_for(coordinator)
    first = client.get(URL, {"username": "cw_assigned"})
    assert len(first.context["page"].object_list) == 50
    assert shown(first)[0] == ("cw_assigned", "EV-2026-0119")
    assert 'href="?username=cw_assigned&amp;page=2"' in first.content.decode()
    last = client.get(URL, {"username": "cw_assigned", "page": "3"})
    assert shown(last)[-1] == ("cw_assigned", "EV-2026-0000")
    assert len(last.context["page"].object_list) == 20


def test_a_user_who_opens_more_than_the_limit_of_cases_in_one_hour_is_flagged(
    client_for, coordinator, caseworker, other_caseworker, lawyer, settings
):
    settings.PASSAGE_UNUSUAL_READS_PER_HOUR = 5
    with clock_at(datetime(2026, 3, 2, 14, 10, tzinfo=UTC)):
        read_cases(caseworker, 6)  # above the limit
        read_cases(other_caseworker, 5, times=3)  # at the limit, however often each is opened
        for number in range(6):  # the lawyer's case list and refusals are not reading cases
            record_access(user=lawyer, action=Action.REFUSED, case_reference=f"EV-2026-{number:04d}")
    with clock_at(datetime(2026, 3, 2, 15, 10, tzinfo=UTC)):
        read_cases(other_caseworker, 3, prefix="EV-2025-")  # 8 in two hours, never more than 5 in one
    response = client_for(coordinator).get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    unusual = response.context["unusual"]
    assert [(row["username"], row["hour"], row["cases"]) for row in unusual] == [
        ("cw_assigned", datetime(2026, 3, 2, 14, tzinfo=UTC), 6),
    ]
    body = response.content.decode()
    assert 'class="flag flag-warn">6<' in body
    assert "more than 5 different cases within one clock hour" in body


def test_each_kind_of_reading_counts_towards_the_flag(client_for, coordinator, caseworker, settings):
    settings.PASSAGE_UNUSUAL_READS_PER_HOUR = 4  # five kinds of reading, one case each: flagged only if all count
    with clock_at(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)):
        for number, action in enumerate(
            [
                Action.CASE_VIEW,
                Action.CASE_HISTORY,
                Action.DOCUMENT_VIEW,
                Action.DOCUMENT_DOWNLOAD,
                Action.SUMMARY_EXPORT,
            ]
        ):
            record_access(user=caseworker, action=action, case_reference=f"EV-2026-{number:04d}")
    response = client_for(coordinator).get(URL, {"date_from": "2026-03-02"})
    assert [row["username"] for row in response.context["unusual"]] == ["cw_assigned"]


def test_without_a_start_date_recent_unusual_reading_is_flagged(client_for, coordinator, caseworker, settings):
    settings.PASSAGE_UNUSUAL_READS_PER_HOUR = 2
    with clock_at(timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=2)):
        read_cases(caseworker, 3)
    response = client_for(coordinator).get(URL)
    assert [row["username"] for row in response.context["unusual"]] == ["cw_assigned"]


def test_nobody_is_flagged_when_nobody_reads_too_much(client_for, coordinator, caseworker):
    read_cases(caseworker, 3)
    response = client_for(coordinator).get(URL)
    assert response.context["unusual"] == []
    assert "Nobody went over the limit." in response.content.decode()


@pytest.mark.parametrize("persona", ["caseworker", "other_caseworker", "lawyer", "administrator"])
def test_other_roles_are_refused(client_for, persona, request):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(URL)
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_only_answers_get(client_for, coordinator):
    assert client_for(coordinator).post(URL).status_code == 405


def test_the_number_of_queries_does_not_grow_with_the_log(client_for, coordinator, caseworker, other_caseworker):
    client = client_for(coordinator)
    client.get(URL)  # the session settles on the first request
    an_hour_yesterday = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
    with clock_at(an_hour_yesterday):
        read_cases(caseworker, 5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    with clock_at(an_hour_yesterday):
        read_cases(other_caseworker, 40, times=4)
        read_cases(caseworker, 35)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.context["page"].paginator.count == 200
    assert response.context["unusual"]  # the flagged list is drawn too
    assert len(many) == len(few)
    assert len(few) <= 10
