"""The donor report, CSV and one-page PDF: the figures of a period, and nothing that names anybody."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from audit.models import AccessEvent
from cases.models import Case
from shelters.donor_report import donor_report
from shelters.services import place_request_create
from tests.conftest import SEALED_VALUES
from tests.shelters.conftest import SHELTER_SECRETS, days
from tests.shelters.money import set_stage

pytestmark = pytest.mark.django_db

CSV = "/dashboard/donor-report.csv"
PDF = "/dashboard/donor-report.pdf"
NOTE = "Note-Fictional: needs the Vorbl medicine."
REFERENCE = re.compile(r"EV-\d{4}-\d{4,6}")


@pytest.fixture
def period(today):
    return {"date_from": str(today.replace(day=1) - days(40)), "date_to": str(today)}


@pytest.fixture
def everything(books, caseworker, shelter, today, place):
    """The books, plus a stay, a request with a note and a blocked stage with notes: all that must stay out."""
    place(books["over"], shelter, today - days(4), today + days(2))
    place_request_create(case=books["small"], wanted_from=today, note=NOTE, by=caseworker)
    set_stage(
        books["small"], "travel_documents", "blocked", blocked_reason="waiting_embassy", notes=NOTE, by=caseworker
    )
    return books


def rows_of(response) -> dict[str, str]:
    text = response.content.decode("utf-8-sig")
    return dict(csv.reader(io.StringIO(text)))


def forbidden(shelter) -> list[str]:
    """What a donor report must never contain."""
    values = [*SEALED_VALUES.values(), *SHELTER_SECRETS.values(), NOTE, shelter.code_name, "1990-05-17"]
    return [*values, "Quuxfictional", "Plumbobfictional", "cw_assigned", "coord"]


def assert_anonymous(text: str, shelter) -> None:
    assert not REFERENCE.search(text)
    for value in forbidden(shelter):
        assert value not in text
    for reference in Case.objects.values_list("reference", flat=True):
        assert reference not in text


def test_the_csv_gives_the_figures_of_the_period(client_for, coordinator, everything, shelter, period, today):
    response = client_for(coordinator).get(CSV, period)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="passage-donor-report-')
    assert "no-store" in response["Cache-Control"]
    rows = rows_of(response)
    assert rows["Funds received (EUR)"] == "30000.00"
    assert rows["of which restricted to a named purpose (EUR)"] == "2000.00"
    assert rows["Paid (EUR)"] == "13200.10"
    assert rows["Committed, not yet paid (EUR)"] == "600.30"
    assert rows["Balance at the end of the period (EUR)"] == "16199.60"
    assert rows["People resettled"] == "3"
    assert rows["Mean cost per person resettled (EUR)"] == "2900.03"
    assert rows["Median cost per person resettled (EUR)"] == "3500.00"
    assert rows["Highest cost per person resettled (EUR)"] == "4200.10"
    assert rows["People given a safe house"] == "1"
    assert rows["Nights in safe houses"] == "5"  # the four nights before today and tonight: the period ends today
    assert rows["Spent on Travel documents (EUR)"] == "4200.10"
    assert rows[f"Spent in {today:%Y-%m} (EUR)"] == "10750.40"
    assert_anonymous(response.content.decode("utf-8-sig"), shelter)
    event = AccessEvent.objects.get(action="report_export")
    assert event.detail.startswith("csv ") and event.case_reference == ""


def test_a_period_before_anything_happened_is_all_zeros(client_for, coordinator, books, today):
    rows = rows_of(client_for(coordinator).get(CSV, {"date_from": "2020-01-01", "date_to": "2020-03-31"}))
    assert rows["Funds received (EUR)"] == "0.00"
    assert rows["People resettled"] == "0"
    assert rows["Mean cost per person resettled (EUR)"] == ""
    assert rows["Balance at the end of the period (EUR)"] == "0.00"


def test_the_pdf_is_one_page_of_the_same_figures_and_names_nobody(client_for, coordinator, everything, shelter, period):
    response = client_for(coordinator).get(PDF, period)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "30000.00" in text and "16199.60" in text and "2900.03" in text
    assert_anonymous(text, shelter)
    assert_anonymous(str(reader.metadata), shelter)
    assert AccessEvent.objects.get(action="report_export").detail.startswith("pdf ")


def test_a_five_year_report_still_fits_one_page_in_russian(client_for, coordinator, books, today):
    client = client_for(coordinator)
    client.post("/i18n/setlang/", {"language": "ru", "next": "/dashboard/"})
    start = today.replace(year=today.year - 5, day=1) + days(31)
    response = client.get(PDF, {"date_from": str(start), "date_to": str(today)})
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "ends after it starts"),
        ({"date_from": "2015-01-01", "date_to": "2026-04-01"}, "at most five years"),
        ({"date_from": "yesterday", "date_to": "2026-04-01"}, "Enter a valid date"),
        ({}, "This field is required"),
    ],
)
@pytest.mark.parametrize("url", [CSV, PDF])
def test_a_bad_period_says_what_is_wrong_and_downloads_nothing(client_for, coordinator, url, query, message):
    response = client_for(coordinator).get(url, query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert not AccessEvent.objects.filter(action="report_export").exists()


@pytest.mark.parametrize("persona", ["caseworker", "other_caseworker", "lawyer", "other_lawyer", "administrator"])
@pytest.mark.parametrize("url", [CSV, PDF])
def test_only_coordinators_download_it(request, client_for, books, period, persona, url):
    response = client_for(request.getfixturevalue(persona)).get(url, period)
    assert response.status_code == 403
    assert not AccessEvent.objects.filter(action="report_export").exists()


@pytest.mark.parametrize("url", [CSV, PDF])
def test_anonymous_visitors_are_sent_to_sign_in(client_for, period, url):
    response = client_for(None).get(url, period)
    assert response.status_code == 302


def test_the_report_runs_a_fixed_number_of_queries(django_assert_num_queries, books, today, open_case, caseworker):
    start, end = today - days(60), today
    with django_assert_num_queries(12) as captured:
        donor_report(date_from=start, date_to=end)
    few = len(captured)
    for _ in range(5):
        open_case(caseworker)
    with django_assert_num_queries(few):
        report = donor_report(date_from=start, date_to=end)
    assert report.paid == Decimal("13200.10")
