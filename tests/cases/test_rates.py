"""The exchange-rate table: coordinators set it; caseworkers cannot; a change never rewrites recorded money."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AccessEvent
from cases.models import ExchangeRate
from cases.money import MoneyError, rate_set

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_a_coordinator_sets_a_rate_and_setting_it_again_replaces_that_days_rate_with_history(coordinator):
    rate, previous = rate_set(user=coordinator, currency="RUB", on_date=TODAY, rate_to_eur=Decimal("0.0105"))
    assert previous is None
    rate, previous = rate_set(user=coordinator, currency="RUB", on_date=TODAY, rate_to_eur=Decimal("0.0107"))
    assert previous == Decimal("0.0105")
    assert ExchangeRate.objects.count() == 1
    assert [row.rate_to_eur for row in rate.history.order_by("history_id")] == [Decimal("0.0105"), Decimal("0.0107")]
    assert rate.units_per_eur == Decimal("93.4579")
    event = AccessEvent.objects.filter(action="rate_change").last()
    assert (event.target, event.detail) == (f"RUB {TODAY.isoformat()}", "0.0105 -> 0.0107")


def test_caseworkers_lawyers_and_administrators_cannot_set_rates(caseworker, lawyer, administrator):
    for user in (caseworker, lawyer, administrator):
        with pytest.raises(PermissionDenied):
            rate_set(user=user, currency="USD", on_date=TODAY, rate_to_eur=Decimal("0.9"))
    assert not ExchangeRate.objects.exists()


@pytest.mark.parametrize(
    ("currency", "on_date", "rate", "field", "message"),
    [
        ("USD", TODAY, "0", "rate_to_eur", "more than zero"),
        ("USD", TODAY, "-1", "rate_to_eur", "more than zero"),
        ("USD", TODAY, "5000", "rate_to_eur", "check the rate"),
        ("USD", TODAY, "0.00000000001", "rate_to_eur", "ten decimal places"),
        ("EUR", TODAY, "1", "currency", "EUR is always 1"),
        ("DOGE", TODAY, "0.1", "currency", "Choose a currency"),
        ("USD", TODAY + DAY, "0.9", "on_date", "today or before"),
        ("USD", datetime.date(1999, 12, 31), "0.9", "on_date", "Check the year"),
    ],
)
def test_bad_rates_are_refused(coordinator, currency, on_date, rate, field, message):
    with pytest.raises(MoneyError) as refused:
        rate_set(user=coordinator, currency=currency, on_date=on_date, rate_to_eur=Decimal(rate))
    assert message in refused.value.errors[field]
    assert not ExchangeRate.objects.exists()


def test_the_rates_page_sets_and_lists_rates(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post("/rates/", {"currency": "GEL", "on_date": TODAY.isoformat(), "rate_to_eur": "0,345"})
    assert response.status_code == 302
    page = client.get("/rates/", follow=True).content.decode()
    assert "GEL" in page
    assert "0.345" in page
    assert "2.8986" in page  # units per EUR, to spot a rate typed backwards
    again = client.post(
        "/rates/", {"currency": "GEL", "on_date": TODAY.isoformat(), "rate_to_eur": "0.35"}, follow=True
    )
    assert "(was 0.345)" in again.content.decode()


def test_the_rates_page_filters_by_currency(client_for, coordinator):
    rate_set(user=coordinator, currency="GEL", on_date=TODAY, rate_to_eur=Decimal("0.34"))
    rate_set(user=coordinator, currency="TRY", on_date=TODAY, rate_to_eur=Decimal("0.027"))
    response = client_for(coordinator).get("/rates/?currency=TRY")
    assert [rate.currency for rate in response.context["page"]] == ["TRY"]


def test_bad_input_on_the_rates_page_saves_nothing(client_for, coordinator):
    response = client_for(coordinator).post(
        "/rates/", {"currency": "GEL", "on_date": TODAY.isoformat(), "rate_to_eur": "zero"}
    )
    assert response.status_code == 200
    assert "Type a number" in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_the_rates_page_runs_a_fixed_number_of_queries(client_for, coordinator, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator)
    rate_set(user=coordinator, currency="GEL", on_date=TODAY, rate_to_eur=Decimal("0.34"))
    client.get("/rates/")
    with CaptureQueriesContext(connection) as one:
        client.get("/rates/")
    for days in range(1, 40):
        rate_set(user=coordinator, currency="GEL", on_date=TODAY - days * DAY, rate_to_eur=Decimal("0.34"))
    with CaptureQueriesContext(connection) as many:
        client.get("/rates/")
    assert len(many.captured_queries) == len(one.captured_queries)
