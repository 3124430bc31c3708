"""The donor report's period: dates outside what Passage can hold are refused with a clear message."""

from __future__ import annotations

import datetime

import pytest

from audit.models import AccessEvent

pytestmark = pytest.mark.django_db

CSV = "/dashboard/donor-report.csv"
PDF = "/dashboard/donor-report.pdf"


def latest(today: datetime.date) -> datetime.date:
    return datetime.date(today.year + 1, 12, 31)


@pytest.mark.parametrize("url", [CSV, PDF])
@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [("9999-12-30", "9999-12-31"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-02")],
)
def test_dates_at_the_ends_of_the_calendar_are_refused_not_a_server_error(
    client_for, coordinator, today, url, date_from, date_to
):
    response = client_for(coordinator).get(url, {"date_from": date_from, "date_to": date_to})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    errors = response.context["form"].errors
    expected = f"Choose a date from 2000-01-01 to {latest(today).isoformat()}."
    assert expected in errors.get("date_from", []) + errors.get("date_to", [])
    assert expected in response.content.decode()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.REPORT_EXPORT).exists()


def test_a_date_before_2000_is_refused(client_for, coordinator, today):
    response = client_for(coordinator).get(CSV, {"date_from": "1999-12-31", "date_to": "2000-06-30"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_from"] == [
        f"Choose a date from 2000-01-01 to {latest(today).isoformat()}."
    ]


def test_a_date_after_the_end_of_next_year_is_refused(client_for, coordinator, today):
    day_after = latest(today) + datetime.timedelta(days=1)
    response = client_for(coordinator).get(CSV, {"date_from": str(today), "date_to": str(day_after)})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["date_to"]


@pytest.mark.parametrize("url", [CSV, PDF])
def test_the_first_and_last_days_allowed_give_a_report(client_for, coordinator, today, url):
    """The report may look ahead to the end of next year (commitments), and back to 2000."""
    client = client_for(coordinator)
    ahead = client.get(url, {"date_from": str(today), "date_to": str(latest(today))})
    assert ahead.status_code == 200
    assert ahead["Content-Disposition"].startswith("attachment;")
    back = client.get(url, {"date_from": "2000-01-01", "date_to": "2004-12-31"})
    assert back.status_code == 200
    assert back["Content-Disposition"].startswith("attachment;")


def test_the_date_pickers_offer_the_same_bounds(client_for, coordinator, today):
    page = client_for(coordinator).get(CSV, {"date_from": "9999-12-31", "date_to": "9999-12-31"}).content.decode()
    assert 'min="2000-01-01"' in page
    assert f'max="{latest(today).isoformat()}"' in page
