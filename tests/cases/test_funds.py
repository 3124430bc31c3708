"""Funds: money received, recorded by coordinators, and how far it goes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cases.models import Fund
from cases.money import ExpenseValues, FundValues, MoneyError, expense_add, fund_add, fund_update, funds_summary
from cases.stages import StageChange, stage_update
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def fund(user, **changes) -> Fund:
    values = {"source": "Fictional spring appeal", "amount": Decimal("10000"), "currency": "EUR", "received_on": TODAY}
    return fund_add(user=user, values=FundValues(**(values | changes)))


def spend(case, user, amount, state="paid"):
    with key_scope():
        expense_add(
            case=case,
            user=user,
            values=ExpenseValues(
                stage="evacuation", amount=Decimal(amount), currency="EUR", spent_on=TODAY, state=state
            ),
            confirmed_eur=Decimal(amount),
        )


def resettle(case, user):
    with key_scope():
        stage_update(
            case=case,
            kind="resettled",
            user=user,
            expected_version=1,
            change=StageChange("done", out_of_order_reason="Fictional: resettled through a partner programme"),
        )


def test_a_coordinator_records_money_received_in_any_currency(coordinator):
    received = fund(coordinator, amount=Decimal("5000"), currency="SEK", rate_to_eur=Decimal("0.0875"), restricted=True)
    assert (received.amount_eur, received.restricted, received.created_by) == (Decimal("437.50"), True, coordinator)
    assert received.history.count() == 1


def test_the_summary_says_what_is_available_and_how_many_more_people_it_gets_out(coordinator, caseworker, open_case):
    fund(coordinator, amount=Decimal("20000"))
    fund(coordinator, amount=Decimal("5000"), restricted=True)
    first, second, third = open_case(caseworker), open_case(caseworker), open_case(caseworker)
    spend(first, caseworker, "3000")  # both resettled below: 4000 on average
    spend(second, caseworker, "5000")
    spend(third, caseworker, "1000", state="committed")
    summary = funds_summary()
    assert not summary.average_is_observed
    assert summary.average_cost == Decimal("4000.00")  # the default budget until somebody is resettled
    resettle(first, caseworker)
    resettle(second, caseworker)
    summary = funds_summary()
    assert (summary.received, summary.restricted, summary.unrestricted) == (
        Decimal("25000.00"),
        Decimal("5000.00"),
        Decimal("20000.00"),
    )
    assert (summary.paid, summary.committed, summary.available) == (
        Decimal("8000.00"),
        Decimal("1000.00"),
        Decimal("16000.00"),
    )
    assert (summary.average_cost, summary.cases_counted, summary.average_is_observed) == (Decimal("4000.00"), 2, True)
    assert summary.evacuations_left == 4


def test_nothing_left_pays_for_no_evacuation(coordinator, caseworker, case):
    fund(coordinator, amount=Decimal("100"))
    spend(case, caseworker, "500")
    assert funds_summary().evacuations_left == 0


def test_a_fund_is_corrected_with_history(coordinator):
    received = fund(coordinator)
    fund_update(
        fund=received,
        user=coordinator,
        values=FundValues(source="Fictional spring appeal", amount=Decimal("12000"), currency="EUR", received_on=TODAY),
    )
    received.refresh_from_db()
    assert received.amount_eur == Decimal("12000.00")
    assert [row.amount for row in received.history.order_by("history_id")] == [Decimal("10000"), Decimal("12000")]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": Decimal("0")}, "amount", "more than zero"),
        ({"amount": Decimal("20000000")}, "amount", "more than 10,000,000 EUR"),
        (
            {"amount": Decimal("9999999999999"), "rate_to_eur": Decimal("0.0000000001"), "currency": "ARS"},
            "amount",
            "too large",
        ),
        ({"rate_to_eur": Decimal("5000"), "currency": "USD"}, "rate_to_eur", "more than 1,000 EUR a unit"),
        ({"source": "  "}, "source", "Name the appeal"),
        ({"received_on": TODAY + DAY}, "received_on", "today or before"),
        ({"currency": "KZT"}, "rate_to_eur", "has no rate for KZT"),
        ({"currency": "XXX"}, "currency", "Choose a currency"),
    ],
)
def test_bad_fund_input_saves_nothing(coordinator, changes, field, message):
    with pytest.raises(MoneyError) as refused:
        fund(coordinator, **changes)
    assert message in refused.value.errors[field]
    assert not Fund.objects.exists()


def test_only_coordinators_record_funds(caseworker, lawyer, administrator):
    for user in (caseworker, lawyer, administrator):
        with pytest.raises(PermissionDenied):
            fund(user)
    assert not Fund.objects.exists()


# ---- The page ----------------------------------------------------------------------------------------------


def test_the_funds_page_records_and_lists(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post(
        "/funds/",
        {
            "source": "Fictional grant",
            "amount": "7 500,00",
            "currency": "USD",
            "rate_to_eur": "0.92",
            "received_on": TODAY.isoformat(),
            "restricted": "on",
        },
    )
    assert response.status_code == 302
    page = client.get("/funds/").content.decode()
    assert "Fictional grant" in page
    assert "6900.00" in page
    assert "restricted" in page


def test_bad_input_on_the_funds_page_comes_back_with_a_message(client_for, coordinator):
    response = client_for(coordinator).post(
        "/funds/", {"source": "Fictional grant", "amount": "-5", "currency": "EUR", "received_on": TODAY.isoformat()}
    )
    assert response.status_code == 200
    assert "An amount is more than zero" in response.content.decode()
    assert not Fund.objects.exists()


def test_the_fund_edit_page_corrects_a_fund(client_for, coordinator):
    received = fund(coordinator)
    client = client_for(coordinator)
    assert "Fictional spring appeal" in client.get(f"/funds/{received.pk}/").content.decode()
    data = {"source": "Fictional spring appeal", "amount": "9000", "currency": "EUR", "received_on": TODAY.isoformat()}
    assert client.post(f"/funds/{received.pk}/", data).status_code == 302
    received.refresh_from_db()
    assert received.amount == Decimal("9000.00")
    assert client.get("/funds/999999/").status_code == 404


def test_the_funds_page_runs_a_fixed_number_of_queries(client_for, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator)
    fund(coordinator)
    client.get("/funds/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/funds/").status_code == 200
        return len(queries.captured_queries)

    one = count()
    for _ in range(30):
        fund(coordinator)
    assert count() == one


def test_a_typed_rate_far_from_the_tables_is_recorded_with_a_warning_to_check_it(client_for, coordinator):
    from cases.money import rate_set

    rate_set(user=coordinator, currency="USD", on_date=TODAY - datetime.timedelta(days=1), rate_to_eur=Decimal("0.92"))
    data = {
        "source": "Fictional grant",
        "amount": "1000",
        "currency": "USD",
        "rate_to_eur": "1.5",  # a typo: far from 0.92
        "received_on": TODAY.isoformat(),
    }
    response = client_for(coordinator).post("/funds/", data, follow=True)
    assert Fund.objects.get().rate_to_eur == Decimal("1.5")
    assert "is far from the coordinators" in response.content.decode()
    close = client_for(coordinator).post("/funds/", {**data, "rate_to_eur": "0.93"}, follow=True)
    assert "far from the coordinators" not in close.content.decode()
