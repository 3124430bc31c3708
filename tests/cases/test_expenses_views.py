"""Expenses on the case page: the add form, the warning before saving, changing, paying, deleting, reversing."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Expense
from cases.money import ExpenseValues, expense_add, rate_set
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def form(**changes) -> dict:
    data = {
        "stage": "shelter",
        "amount": "12 500,50",
        "currency": "RUB",
        "rate_to_eur": "0,0105",
        "spent_on": (TODAY - DAY).isoformat(),
        "state": "paid",
        "description": "Fictional: rent of the safe flat",
        "entry_token": str(uuid.uuid4()),
    }
    data.update(changes)
    return {f"expense-{name}": value for name, value in data.items() if value is not None}


def url(case) -> str:
    return f"/cases/{case.reference}/expenses/"


def test_an_expense_is_recorded_from_the_case_page(client_for, caseworker, case):
    client = client_for(caseworker)
    response = client.post(url(case), form())
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/#expenses"
    expense = Expense.objects.get()
    assert (expense.amount, expense.rate_to_eur, expense.amount_eur) == (
        Decimal("12500.50"),
        Decimal("0.0105"),
        Decimal("131.26"),
    )
    page = client.get(response["Location"]).content.decode()
    assert "Recorded: 12500.50 RUB (131.26 EUR)." in page
    assert "Fictional: rent of the safe flat" in page


def test_the_rate_left_empty_comes_from_the_table(client_for, caseworker, coordinator, case):
    rate_set(user=coordinator, currency="ARS", on_date=TODAY - 2 * DAY, rate_to_eur=Decimal("0.00095"))
    response = client_for(caseworker).post(url(case), form(currency="ARS", amount="250000", rate_to_eur=""))
    assert response.status_code == 302
    assert Expense.objects.get().amount_eur == Decimal("237.50")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "-10"}, "An amount is more than zero"),
        ({"amount": "0"}, "An amount is more than zero"),
        ({"amount": "2000000"}, "One expense is at most 1,000,000"),
        ({"amount": "ten euros"}, "Type a number, such as 125.50"),
        ({"amount": "1,250.50"}, "without thousands separators"),
        ({"amount": "10.555"}, "at most 2 decimal places"),
        ({"amount": None}, "This field is required"),
        ({"currency": "XBT"}, "Choose a currency of the list"),
        ({"rate_to_eur": "0"}, "A rate is more than zero"),
        ({"rate_to_eur": ""}, "The coordinators&#x27; table has no rate for RUB"),
        ({"spent_on": (TODAY + DAY).isoformat()}, "A paid expense cannot be dated in the future"),
        ({"spent_on": "2026-02-30"}, "Enter a valid date"),
        ({"stage": "teleportation"}, "Choose one of the stages of the list"),
        ({"state": "promised"}, "Select a valid choice"),
    ],
)
def test_bad_input_comes_back_with_a_clear_message_and_nothing_is_saved(client_for, caseworker, case, changes, message):
    response = client_for(caseworker).post(url(case), form(**changes))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "Fictional: rent of the safe flat" in body  # what was typed is kept
    assert not Expense.objects.exists()


def test_over_budget_the_form_comes_back_with_a_warning_and_saves_only_when_confirmed(client_for, caseworker, case):
    client = client_for(caseworker)
    data = form(amount="4100", currency="EUR", rate_to_eur="")
    response = client.post(url(case), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This takes the case over its budget: 4100.00 EUR" in body
    assert "Not saved yet: 4100.00 EUR." in body
    assert 'name="expense-confirm"' in body
    assert 'name="expense-confirmed_eur" value="4100.00"' in body
    assert not Expense.objects.exists()
    # Sent again without ticking the box: still not saved.
    assert client.post(url(case), data | {"expense-confirmed_eur": "4100.00"}).status_code == 200
    assert not Expense.objects.exists()
    # Ticked, but the amount was changed meanwhile: asked again about the new amount.
    changed = data | {"expense-amount": "4200", "expense-confirmed_eur": "4100.00", "expense-confirm": "on"}
    assert "4200.00 EUR" in client.post(url(case), changed).content.decode()
    assert not Expense.objects.exists()
    # Ticked for the amount shown: saved.
    response = client.post(url(case), data | {"expense-confirmed_eur": "4100.00", "expense-confirm": "on"})
    assert response.status_code == 302
    assert Expense.objects.get().amount_eur == Decimal("4100.00")
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "over budget" in page


def test_a_form_sent_twice_records_one_expense(client_for, caseworker, case):
    client = client_for(caseworker)
    data = form()
    assert client.post(url(case), data).status_code == 302
    response = client.post(url(case), data, follow=True)
    assert "This expense was recorded already" in response.content.decode()
    assert Expense.objects.count() == 1


def record(case, user, **changes) -> Expense:
    values = {"stage": "food", "amount": Decimal("200"), "currency": "EUR", "spent_on": TODAY, "state": "committed"}
    with key_scope():
        return expense_add(case=case, user=user, values=ExpenseValues(**(values | changes)))


def test_a_committed_expense_is_changed_on_its_own_page(client_for, caseworker, case):
    expense = record(case, caseworker, description="Fictional: winter coat")
    client = client_for(caseworker)
    page = client.get(f"/cases/{case.reference}/expenses/{expense.pk}/edit/")
    assert page.status_code == 200
    assert "Fictional: winter coat" in page.content.decode()
    data = {
        "stage": "clothing",
        "amount": "180",
        "currency": "EUR",
        "spent_on": TODAY.isoformat(),
        "state": "committed",
        "description": "Fictional: winter coat and boots",
    }
    response = client.post(f"/cases/{case.reference}/expenses/{expense.pk}/edit/", data)
    assert response.status_code == 302
    expense.refresh_from_db()
    assert (expense.amount, expense.stage.kind) == (Decimal("180.00"), "clothing")
    bad = client.post(f"/cases/{case.reference}/expenses/{expense.pk}/edit/", data | {"amount": "-1"})
    assert "An amount is more than zero" in bad.content.decode()
    expense.refresh_from_db()
    assert expense.amount == Decimal("180.00")


def test_a_paid_expense_has_no_edit_page(client_for, caseworker, case):
    expense = record(case, caseworker, state="paid")
    response = client_for(caseworker).get(f"/cases/{case.reference}/expenses/{expense.pk}/edit/", follow=True)
    assert "reverse it, and record the right one" in response.content.decode()


def test_a_committed_expense_is_marked_paid_and_one_is_deleted(client_for, caseworker, case):
    first, second = record(case, caseworker), record(case, caseworker)
    client = client_for(caseworker)
    response = client.post(
        f"/cases/{case.reference}/expenses/{first.pk}/paid/", {f"paid-{first.pk}-paid_on": TODAY.isoformat()}
    )
    assert response["Location"].endswith(f"#expense-{first.pk}")
    first.refresh_from_db()
    assert first.state == "paid"
    future = (TODAY + DAY).isoformat()
    response = client.post(
        f"/cases/{case.reference}/expenses/{second.pk}/paid/", {f"paid-{second.pk}-paid_on": future}, follow=True
    )
    assert "cannot be dated in the future" in response.content.decode()
    second.refresh_from_db()
    assert second.state == "committed"
    client.post(f"/cases/{case.reference}/expenses/{second.pk}/delete/")
    assert list(Expense.objects.values_list("pk", flat=True)) == [first.pk]
    response = client.post(f"/cases/{case.reference}/expenses/{first.pk}/delete/", follow=True)
    assert "A paid expense is not changed" in response.content.decode()
    assert Expense.objects.filter(pk=first.pk).exists()


def test_a_paid_expense_is_reversed_from_its_page(client_for, caseworker, case):
    expense = record(case, caseworker, state="paid", description="Fictional: taxi")
    client = client_for(caseworker)
    page = client.get(f"/cases/{case.reference}/expenses/{expense.pk}/reverse/").content.decode()
    assert "correcting entry of −200.00 EUR" in page
    refused = client.post(
        f"/cases/{case.reference}/expenses/{expense.pk}/reverse/", {"reason": "", "on_date": TODAY.isoformat()}
    )
    assert "This field is required" in refused.content.decode()
    assert Expense.objects.count() == 1
    response = client.post(
        f"/cases/{case.reference}/expenses/{expense.pk}/reverse/",
        {"reason": "Fictional: the driver refunded it", "on_date": TODAY.isoformat()},
    )
    assert response.status_code == 302
    reversal = Expense.objects.get(reverses=expense)
    assert reversal.amount_eur == Decimal("-200.00")
    body = client.get(f"/cases/{case.reference}/").content.decode()
    assert "reversed" in body
    assert "Correct (reverse)" not in body


def test_in_russian_amounts_with_a_comma_are_read_and_the_confirmation_works(client_for, caseworker, case):
    client = client_for(caseworker)
    client.cookies["django_language"] = "ru"
    data = form(amount="4 100,00", currency="EUR", rate_to_eur="")
    response = client.post(url(case), data)
    assert response.status_code == 200
    assert 'name="expense-confirmed_eur" value="4100.00"' in response.content.decode()
    response = client.post(url(case), data | {"expense-confirmed_eur": "4100.00", "expense-confirm": "on"})
    assert response.status_code == 302
    assert Expense.objects.get().amount == Decimal("4100.00")


def test_buttons_pressed_twice_on_a_bad_connection_do_no_harm(client_for, caseworker, case):
    client = client_for(caseworker)
    to_pay, to_delete = record(case, caseworker), record(case, caseworker)
    paid_url = f"/cases/{case.reference}/expenses/{to_pay.pk}/paid/"
    data = {f"paid-{to_pay.pk}-paid_on": TODAY.isoformat()}
    assert client.post(paid_url, data).status_code == 302
    again = client.post(paid_url, data, follow=True).content.decode()
    assert "Marked paid." in again
    assert to_pay.history.count() == 2
    delete_url = f"/cases/{case.reference}/expenses/{to_delete.pk}/delete/"
    assert client.post(delete_url).status_code == 302
    again = client.post(delete_url, follow=True)
    assert "That expense is not recorded (any more)." in again.content.decode()
    assert list(Expense.objects.values_list("pk", flat=True)) == [to_pay.pk]
