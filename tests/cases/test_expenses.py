"""Recording expenses: currencies, the rate fixed when recorded (typed or from the table), bad input refused."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from cases.models import Expense
from cases.money import (
    AlreadyRecorded,
    ExpenseValues,
    MoneyError,
    NeedsConfirmation,
    expense_add,
    expense_delete,
    expense_mark_paid,
    expense_update,
    rate_set,
)
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def values(**changes) -> ExpenseValues:
    base = {
        "stage": "shelter",
        "amount": Decimal("12500.50"),
        "currency": "RUB",
        "rate_to_eur": Decimal("0.0105"),
        "spent_on": TODAY - DAY,
        "state": "paid",
        "description": "Fictional: a week of rent",
    }
    base.update(changes)
    return ExpenseValues(**base)


def add(case, user, **changes) -> Expense:
    confirmed = changes.pop("confirmed_eur", None)
    token = changes.pop("entry_token", None)
    with key_scope():
        return expense_add(case=case, user=user, values=values(**changes), confirmed_eur=confirmed, entry_token=token)


def test_an_expense_keeps_its_currency_and_the_eur_amount_fixed_when_recorded(case, caseworker):
    expense = add(case, caseworker)
    expense.refresh_from_db()
    assert (expense.amount, expense.currency, expense.rate_to_eur, expense.amount_eur) == (
        Decimal("12500.50"),
        "RUB",
        Decimal("0.0105"),
        Decimal("131.26"),
    )
    assert expense.stage == case.stages.get(kind="shelter")
    assert expense.created_by == caseworker
    assert expense.history.count() == 1
    with key_scope():
        assert Expense.objects.get().description == "Fictional: a week of rent"


def test_without_a_typed_rate_the_tables_rate_for_that_date_is_taken(case, caseworker, coordinator):
    rate_set(user=coordinator, currency="GEL", on_date=TODAY - 10 * DAY, rate_to_eur=Decimal("0.33"))
    rate_set(user=coordinator, currency="GEL", on_date=TODAY - 3 * DAY, rate_to_eur=Decimal("0.34"))
    rate_set(user=coordinator, currency="GEL", on_date=TODAY, rate_to_eur=Decimal("0.35"))
    expense = add(case, caseworker, currency="GEL", amount=Decimal("100"), rate_to_eur=None, spent_on=TODAY - 5 * DAY)
    assert (expense.rate_to_eur, expense.amount_eur) == (Decimal("0.33"), Decimal("33.00"))
    expense = add(case, caseworker, currency="GEL", amount=Decimal("100"), rate_to_eur=None, spent_on=TODAY - DAY)
    assert expense.rate_to_eur == Decimal("0.34")


def test_a_rate_changed_later_does_not_change_what_was_recorded(case, caseworker, coordinator):
    rate_set(user=coordinator, currency="TRY", on_date=TODAY - DAY, rate_to_eur=Decimal("0.028"))
    expense = add(case, caseworker, currency="TRY", amount=Decimal("1000"), rate_to_eur=None)
    rate_set(user=coordinator, currency="TRY", on_date=TODAY - DAY, rate_to_eur=Decimal("0.5"))
    expense.refresh_from_db()
    assert (expense.rate_to_eur, expense.amount_eur) == (Decimal("0.028"), Decimal("28.00"))


def test_a_rate_older_than_the_allowed_age_is_not_used(case, caseworker, coordinator, settings):
    settings.PASSAGE_RATE_MAX_AGE_DAYS = 7
    rate_set(user=coordinator, currency="AMD", on_date=TODAY - 9 * DAY, rate_to_eur=Decimal("0.0023"))
    with pytest.raises(MoneyError) as refused:
        add(case, caseworker, currency="AMD", rate_to_eur=None, spent_on=TODAY)
    assert "has no rate for AMD in the 7 days up to" in refused.value.errors["rate_to_eur"]
    assert not Expense.objects.exists()


def test_a_commitment_dated_ahead_takes_todays_rate(case, caseworker, coordinator):
    rate_set(user=coordinator, currency="USD", on_date=TODAY, rate_to_eur=Decimal("0.92"))
    expense = add(
        case,
        caseworker,
        currency="USD",
        amount=Decimal("100"),
        rate_to_eur=None,
        state="committed",
        spent_on=TODAY + 20 * DAY,
    )
    assert expense.rate_to_eur == Decimal("0.92")


def test_eur_is_always_at_one(case, caseworker):
    expense = add(case, caseworker, currency="EUR", amount=Decimal("80.00"), rate_to_eur=None)
    assert (expense.rate_to_eur, expense.amount_eur) == (Decimal("1"), Decimal("80.00"))
    with pytest.raises(MoneyError, match="The rate of EUR is 1"):
        add(case, caseworker, currency="EUR", rate_to_eur=Decimal("1.1"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": Decimal("0")}, "amount", "more than zero"),
        ({"amount": Decimal("-5")}, "amount", "more than zero"),
        ({"amount": Decimal("1000000.01")}, "amount", "at most 1,000,000"),
        ({"amount": Decimal("10.005")}, "amount", "two decimal places"),
        ({"amount": Decimal("NaN")}, "amount", "Type an amount"),
        ({"currency": "XYZ"}, "currency", "Choose a currency"),
        ({"currency": "rub"}, "currency", "Choose a currency"),
        ({"rate_to_eur": Decimal("0")}, "rate_to_eur", "more than zero"),
        ({"rate_to_eur": Decimal("-0.01")}, "rate_to_eur", "more than zero"),
        ({"rate_to_eur": Decimal("0.00000000001")}, "rate_to_eur", "ten decimal places"),
        ({"rate_to_eur": None}, "rate_to_eur", "has no rate for RUB"),
        ({"rate_to_eur": Decimal("1000.01"), "currency": "USD"}, "rate_to_eur", "more than 1,000 EUR a unit"),
        ({"rate_to_eur": Decimal("123456789")}, "rate_to_eur", "more than 1,000 EUR a unit"),
        ({"amount": Decimal("1000000"), "rate_to_eur": Decimal("999")}, "amount", "at most 1,000,000 EUR"),
        ({"amount": Decimal("900000"), "currency": "USD", "rate_to_eur": Decimal("1.2")}, "amount", "1,080,000.00 EUR"),
        ({"spent_on": TODAY + DAY}, "spent_on", "paid expense cannot be dated in the future"),
        ({"spent_on": datetime.date(1926, 3, 1)}, "spent_on", "Check the year"),
        ({"spent_on": TODAY + 400 * DAY, "state": "committed"}, "spent_on", "more than a year ahead"),
        ({"stage": "teleportation"}, "stage", "Choose one of the stages"),
        ({"state": "maybe"}, "state", "committed or paid"),
        ({"description": "x" * 501}, "description", "under 500 characters"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(case, caseworker, changes, field, message):
    with pytest.raises(MoneyError) as refused:
        add(case, caseworker, **changes)
    assert message in refused.value.errors[field]
    assert not Expense.objects.exists()
    assert not Expense.history.exists()
    assert not AccessEvent.objects.filter(action="expense_add").exists()


def test_a_typed_rate_far_from_the_tables_asks_for_confirmation(case, caseworker, coordinator):
    rate_set(user=coordinator, currency="RUB", on_date=TODAY - DAY, rate_to_eur=Decimal("0.0105"))
    with pytest.raises(NeedsConfirmation) as asked:
        add(case, caseworker, amount=Decimal("10"), rate_to_eur=Decimal("95"))  # RUB per EUR, typed backwards
    assert "far from the coordinators' rate of 0.0105" in asked.value.warnings[0]
    assert not Expense.objects.exists()
    expense = add(case, caseworker, amount=Decimal("10"), rate_to_eur=Decimal("0.0110"), confirmed_eur=None)
    assert expense.amount_eur == Decimal("0.11")  # within the tolerance: no question


def test_the_same_form_sent_twice_records_the_expense_once(case, caseworker):
    token = uuid.uuid4()
    first = add(case, caseworker, entry_token=token)
    with pytest.raises(AlreadyRecorded) as again:
        add(case, caseworker, entry_token=token)
    assert again.value.expense == first
    assert Expense.objects.count() == 1


def test_each_expense_is_written_to_the_access_log_without_its_description(case, caseworker):
    add(case, caseworker)
    event = AccessEvent.objects.filter(action="expense_add").get()
    assert event.case_reference == case.reference
    assert event.detail == "paid 12500.50 RUB = 131.26 EUR"
    assert "rent" not in (event.detail + event.target).lower()


def test_a_committed_expense_can_be_changed_and_its_history_keeps_the_old_values(case, caseworker):
    expense = add(case, caseworker, state="committed", spent_on=TODAY + 7 * DAY)
    with key_scope():
        expense_update(
            expense=expense,
            user=caseworker,
            values=values(state="committed", amount=Decimal("15000"), spent_on=TODAY + 7 * DAY),
        )
    expense.refresh_from_db()
    assert (expense.amount, expense.amount_eur) == (Decimal("15000.00"), Decimal("157.50"))
    assert [row.amount for row in expense.history.order_by("history_id")] == [Decimal("12500.50"), Decimal("15000")]


def test_a_committed_expense_is_marked_paid_on_a_day_not_in_the_future(case, caseworker):
    expense = add(case, caseworker, state="committed", spent_on=TODAY + 7 * DAY)
    with pytest.raises(MoneyError, match="cannot be dated in the future"):
        expense_mark_paid(expense=expense, user=caseworker, paid_on=TODAY + DAY)
    expense_mark_paid(expense=expense, user=caseworker, paid_on=TODAY)
    expense.refresh_from_db()
    assert (expense.state, expense.spent_on, expense.amount_eur) == ("paid", TODAY, Decimal("131.26"))


def test_a_committed_expense_can_be_deleted_and_history_keeps_it(case, caseworker):
    expense = add(case, caseworker, state="committed")
    expense_delete(expense=expense, user=caseworker)
    assert not Expense.objects.exists()
    assert list(Expense.history.values_list("history_type", flat=True).order_by("history_id")) == ["+", "-"]


def test_a_paid_expense_is_neither_changed_nor_deleted(case, caseworker):
    expense = add(case, caseworker)
    with pytest.raises(MoneyError, match="reverse it"):
        expense_update(expense=expense, user=caseworker, values=values(amount=Decimal("1")))
    with pytest.raises(MoneyError, match="reverse it"):
        expense_delete(expense=expense, user=caseworker)
    expense.refresh_from_db()
    assert expense.amount == Decimal("12500.50")


def test_the_database_itself_refuses_an_absurd_amount(case, caseworker):
    from django.db import IntegrityError, transaction

    expense = add(case, caseworker)
    expense.amount = Decimal("-3")
    with pytest.raises(IntegrityError), transaction.atomic(), key_scope():
        expense.save()
