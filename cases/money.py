"""Money: expenses of a case in any listed currency, its budget, funds received, and the rate table.

Amounts are Decimal from the form to the database and back, never float, and
always travel with their currency. Converting to EUR is the one place money
is rounded: `to_eur`, half-even (banker's rounding) to the cent, once, when an
expense or fund is recorded; the EUR amount is stored and never recomputed.
Sums are exact (`cases.models.exact_eur_sum`).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AccessEvent
from audit.services import record_access
from cases import currencies
from cases.currencies import format_rate
from cases.history import change_reason
from cases.models import MAX_EXPENSE_AMOUNT, Case, ExchangeRate, Expense, Fund, Stage, exact_eur_sum
from cases.stages import EARLIEST_DATE

CENT = Decimal("0.01")
ROUNDING = ROUND_HALF_EVEN  # stated once: every conversion to EUR rounds this way, to the cent
RATE_PLACES = Decimal("0.0000000001")  # ten decimal places, as stored
MAX_FUND_EUR = Decimal("10000000.00")
MAX_BUDGET_EUR = Decimal("1000000.00")
MAX_RATE_EUR = Decimal(1000)  # no currency is worth more a unit; a bigger rate is a typo (or the rate upside down)
MAX_FUND_AMOUNT = Decimal("100000000000.00")  # in the fund's own currency: room for 10,000,000 EUR of pesos
# A rate typed for an expense that is this far from the coordinators' rate for that date is questioned.
RATE_TOLERANCE = Decimal("0.25")


def to_eur(amount: Decimal, rate_to_eur: Decimal) -> Decimal:
    """`amount` units at `rate_to_eur` EUR each, rounded half-even to the cent. Exact before rounding."""
    if not isinstance(amount, Decimal) or not isinstance(rate_to_eur, Decimal):
        raise TypeError("Money is Decimal, never float.")
    with localcontext() as context:
        context.prec = 60  # 12-digit amounts times 18-digit rates, with room: the product is exact
        return (amount * rate_to_eur).quantize(CENT, rounding=ROUNDING)


def cents(value: Decimal | None) -> Decimal:
    """A sum read from the database, to the cent (None, the sum of no rows, is zero). Exact: sums are whole cents."""
    return Decimal("0.00") if value is None else Decimal(value).quantize(CENT, rounding=ROUNDING)


class MoneyError(Exception):
    """Bad money input. `errors` maps form field names ("" for the whole form) to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = {"": errors} if isinstance(errors, str) else errors
        super().__init__(" ".join(self.errors.values()))


class NeedsConfirmation(Exception):
    """The expense is valid but should be looked at twice (over budget, an odd rate); nothing saved yet.

    The caller shows `warnings` and asks again; sending back `amount_eur` as the
    confirmed amount saves it. A changed amount or rate asks again.
    """

    def __init__(self, warnings: list[str], amount_eur: Decimal) -> None:
        self.warnings = warnings
        self.amount_eur = amount_eur
        super().__init__(" ".join(warnings))


class AlreadyRecorded(Exception):
    """The same form was sent twice (a double click, a resend on a bad connection)."""

    def __init__(self, expense: Expense) -> None:
        self.expense = expense
        super().__init__("already recorded")


# ---- Rates -------------------------------------------------------------------------------------------------


def table_rate(currency: str, on_date: datetime.date) -> ExchangeRate | None:
    """The coordinators' rate for `on_date`: the newest on or before it, at most PASSAGE_RATE_MAX_AGE_DAYS old.

    For a date in the future (a commitment) the rate of today is used.
    """
    on_date = min(on_date, timezone.localdate())
    oldest = on_date - datetime.timedelta(days=settings.PASSAGE_RATE_MAX_AGE_DAYS)
    return (
        ExchangeRate.objects.filter(currency=currency, on_date__lte=on_date, on_date__gte=oldest)
        .order_by("-on_date")
        .first()
    )


def resolve_rate(*, currency: str, on_date: datetime.date, entered: Decimal | None) -> tuple[Decimal, list[str]]:
    """The rate to fix on a new record, and warnings about it; MoneyError when there is none."""
    if not currencies.is_known(currency):
        raise MoneyError({"currency": _("Choose a currency of the list.")})
    if currency == currencies.REPORTING_CURRENCY:
        if entered is not None and entered != 1:
            raise MoneyError({"rate_to_eur": _("The rate of EUR is 1. Leave the rate empty.")})
        return Decimal(1), []
    if entered is not None:
        if not entered.is_finite() or entered <= 0:
            raise MoneyError({"rate_to_eur": _("A rate is more than zero.")})
        if entered != entered.quantize(RATE_PLACES):
            raise MoneyError({"rate_to_eur": _("A rate has at most ten decimal places.")})
        if entered > MAX_RATE_EUR:
            raise MoneyError({"rate_to_eur": _("No currency is worth more than 1,000 EUR a unit: check the rate.")})
        known = table_rate(currency, on_date)
        warnings = []
        if known is not None and abs(entered / known.rate_to_eur - 1) > RATE_TOLERANCE:
            warnings.append(
                _(
                    "The rate you typed, %(entered)s EUR per %(currency)s, is far from the coordinators' rate "
                    "of %(known)s on %(date)s. Check that it is EUR per one %(currency)s, not the other way round."
                )
                % {
                    "entered": format_rate(entered),
                    "known": format_rate(known.rate_to_eur),
                    "currency": currency,
                    "date": known.on_date.isoformat(),
                }
            )
        return entered, warnings
    known = table_rate(currency, on_date)
    if known is None:
        raise MoneyError(
            {
                "rate_to_eur": _(
                    "The coordinators' table has no rate for %(currency)s in the %(days)s days up to %(date)s. "
                    "Type the rate (EUR per one %(currency)s), or ask a coordinator to add it."
                )
                % {"currency": currency, "days": settings.PASSAGE_RATE_MAX_AGE_DAYS, "date": on_date.isoformat()}
            }
        )
    return known.rate_to_eur, []


def rate_set(
    *, user: User, currency: str, on_date: datetime.date, rate_to_eur: Decimal, request: HttpRequest | None = None
) -> tuple[ExchangeRate, Decimal | None]:
    """Sets the table's rate of a currency on a date (replacing that day's, with history).

    Returns the rate and the one it replaced (None if new). Expenses already
    recorded keep the rate they were recorded with.
    """
    if not user.has_perm("cases.add_exchangerate") or not user.has_perm("cases.change_exchangerate"):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if currency == currencies.REPORTING_CURRENCY or currency not in dict(currencies.RATE_CHOICES):
        errors["currency"] = _("Choose a currency of the list (EUR is always 1).")
    if not rate_to_eur.is_finite() or rate_to_eur <= 0:
        errors["rate_to_eur"] = _("A rate is more than zero.")
    elif rate_to_eur != rate_to_eur.quantize(RATE_PLACES):
        errors["rate_to_eur"] = _("A rate has at most ten decimal places.")
    elif rate_to_eur > MAX_RATE_EUR:
        errors["rate_to_eur"] = _("No currency is worth more than 1,000 EUR a unit: check the rate.")
    if on_date > timezone.localdate():
        errors["on_date"] = _("A rate is for a day that has come: today or before.")
    elif on_date < EARLIEST_DATE:
        errors["on_date"] = _("Check the year: %(date)s is too long ago.") % {"date": on_date.isoformat()}
    if errors:
        raise MoneyError(errors)
    with transaction.atomic():
        rate = ExchangeRate.objects.select_for_update().filter(currency=currency, on_date=on_date).first()
        previous = rate.rate_to_eur if rate is not None else None
        if rate is None:
            rate = ExchangeRate(currency=currency, on_date=on_date)
        rate.rate_to_eur = rate_to_eur
        rate.created_by = user  # who set the rate in force; history keeps the earlier ones
        rate._history_user = user
        rate.save()
    record_access(
        user=user,
        action=AccessEvent.Action.RATE_CHANGE,
        request=request,
        target=f"{currency} {on_date.isoformat()}",
        detail=f"{format_rate(previous)} -> {format_rate(rate_to_eur)}"
        if previous is not None
        else format_rate(rate_to_eur),
    )
    return rate, previous


# ---- Expenses ----------------------------------------------------------------------------------------------


@dataclass
class ExpenseValues:
    stage: str  # a Stage.Kind value
    amount: Decimal
    currency: str
    spent_on: datetime.date
    state: str = Expense.State.PAID
    rate_to_eur: Decimal | None = None  # None: take it from the coordinators' table
    description: str = ""


def _check_expense(values: ExpenseValues) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.stage not in Stage.Kind.values:
        errors["stage"] = _("Choose one of the stages of the list.")
    amount = values.amount
    if not isinstance(amount, Decimal) or not amount.is_finite():
        errors["amount"] = _("Type an amount, such as 125.50.")
    elif amount <= 0:
        errors["amount"] = _("An amount is more than zero. To correct a paid expense, reverse it.")
    elif amount > MAX_EXPENSE_AMOUNT:
        errors["amount"] = _("One expense is at most 1,000,000. Check the amount, or split it.")
    elif amount != amount.quantize(CENT):
        errors["amount"] = _("An amount has at most two decimal places.")
    if not currencies.is_known(values.currency):
        errors["currency"] = _("Choose a currency of the list.")
    if values.state not in Expense.State.values:
        errors["state"] = _("Choose committed or paid.")
    today = timezone.localdate()
    if values.spent_on < EARLIEST_DATE:
        errors["spent_on"] = _("Check the year: %(date)s is too long ago.") % {"date": values.spent_on.isoformat()}
    elif values.state == Expense.State.PAID and values.spent_on > today:
        errors["spent_on"] = _("A paid expense cannot be dated in the future. Record it as committed.")
    elif values.spent_on > today + datetime.timedelta(days=366):
        errors["spent_on"] = _("Check the year: that is more than a year ahead.")
    if len(values.description) > 500:
        errors["description"] = _("Keep the description under 500 characters.")
    return errors


def _case_total(case: Case, *, excluding: Expense | None = None) -> Decimal:
    expenses = Expense.objects.filter(case=case)
    if excluding is not None:
        expenses = expenses.exclude(pk=excluding.pk)
    return cents(expenses.aggregate(total=exact_eur_sum("amount_eur"))["total"])


def _over_budget_warning(case: Case, total_after: Decimal) -> list[str]:
    if total_after <= case.budget_eur:
        return []
    return [
        _(
            "This takes the case over its budget: %(total)s EUR committed and paid against a budget of "
            "%(budget)s EUR (%(over)s EUR over)."
        )
        % {"total": total_after, "budget": case.budget_eur, "over": total_after - case.budget_eur}
    ]


def _prepare(case: Case, values: ExpenseValues) -> tuple[Stage, Decimal, Decimal, list[str]]:
    errors = _check_expense(values)
    if errors:
        raise MoneyError(errors)
    rate, warnings = resolve_rate(currency=values.currency, on_date=values.spent_on, entered=values.rate_to_eur)
    amount_eur = to_eur(values.amount, rate)
    if amount_eur > MAX_EXPENSE_AMOUNT:
        raise MoneyError(
            {
                "amount": _(
                    "At that rate this is %(eur)s EUR, and one expense is at most 1,000,000 EUR. "
                    "Check the amount and the rate."
                )
                % {"eur": number_format(amount_eur, 2, force_grouping=True)}
            }
        )
    stage = Stage.objects.filter(case=case, kind=values.stage).first()
    if stage is None:
        raise MoneyError({"stage": _("This case has no such stage.")})
    return stage, rate, amount_eur, warnings


def expense_add(
    *,
    case: Case,
    user: User,
    values: ExpenseValues,
    confirmed_eur: Decimal | None = None,
    entry_token: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Expense:
    """Records an expense, its rate and EUR amount fixed now.

    Raises MoneyError for bad input, NeedsConfirmation when it takes the case
    over budget or its rate looks wrong and `confirmed_eur` is not its EUR
    amount, AlreadyRecorded when `entry_token` was used before. Nothing is
    saved in any of those cases.

    Locks the case row (select_for_update) while it compares the case's total
    with its budget and inserts, so two expenses recorded at once cannot both
    slip under the budget unwarned.
    """
    if case.is_erased:
        raise MoneyError(_("This case was erased."))
    if entry_token is not None:
        earlier = Expense.objects.filter(entry_token=entry_token, case=case).first()
        if earlier is not None:
            raise AlreadyRecorded(earlier)
    stage, rate, amount_eur, warnings = _prepare(case, values)
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update().only("pk", "budget_eur").get(pk=case.pk)
            warnings += _over_budget_warning(locked, _case_total(locked) + amount_eur)
            if warnings and confirmed_eur != amount_eur:
                raise NeedsConfirmation(warnings, amount_eur)
            expense = Expense(
                case=case,
                data_key_id=case.data_key_id,
                stage=stage,
                amount=values.amount,
                currency=values.currency,
                rate_to_eur=rate,
                amount_eur=amount_eur,
                spent_on=values.spent_on,
                description=values.description,
                state=values.state,
                entry_token=entry_token,
                created_by=user,
            )
            expense._change_reason = "recorded"
            expense._history_user = user
            expense.save()
    except IntegrityError:
        earlier = Expense.objects.filter(entry_token=entry_token, case=case).first() if entry_token else None
        if earlier is None:
            raise
        raise AlreadyRecorded(earlier) from None
    record_access(
        user=user,
        action=AccessEvent.Action.EXPENSE_ADD,
        request=request,
        case_reference=case.reference,
        target=f"expense {expense.pk}",
        detail=f"{values.state} {values.amount} {values.currency} = {amount_eur} EUR",
    )
    return expense


def _editable(expense: Expense) -> None:
    if expense.case.is_erased:
        raise MoneyError(_("This case was erased."))
    if expense.state != Expense.State.COMMITTED or expense.reverses_id is not None:
        raise MoneyError(_("A paid expense is not changed: reverse it, and record the right one."))


def expense_update(
    *,
    expense: Expense,
    user: User,
    values: ExpenseValues,
    confirmed_eur: Decimal | None = None,
    request: HttpRequest | None = None,
) -> Expense:
    """Changes a committed expense (the rate is fixed anew for its date). Same errors as expense_add.

    Locks the case row, then the expense row, as expense_add does.
    """
    case = expense.case
    _editable(expense)
    stage, rate, amount_eur, warnings = _prepare(case, values)
    with transaction.atomic():
        locked_case = Case.objects.select_for_update().only("pk", "budget_eur").get(pk=case.pk)
        locked = Expense.objects.select_for_update().get(pk=expense.pk)
        locked.case = case
        _editable(locked)
        if amount_eur > locked.amount_eur:
            warnings += _over_budget_warning(locked_case, _case_total(locked_case, excluding=locked) + amount_eur)
        if warnings and confirmed_eur != amount_eur:
            raise NeedsConfirmation(warnings, amount_eur)
        new = {
            "stage_id": stage.pk,
            "amount": values.amount,
            "currency": values.currency,
            "rate_to_eur": rate,
            "amount_eur": amount_eur,
            "spent_on": values.spent_on,
            "state": values.state,
        }
        changed = [name.removesuffix("_id") for name, value in new.items() if getattr(locked, name) != value]
        for name, value in new.items():
            setattr(locked, name, value)
        if values.description != locked.description:
            locked.description = values.description
            changed.append("description")
        if not changed:
            return locked
        locked._change_reason = change_reason(changed)
        locked._history_user = user
        locked.save()
    record_access(
        user=user,
        action=AccessEvent.Action.EXPENSE_CHANGE,
        request=request,
        case_reference=case.reference,
        target=f"expense {locked.pk}",
        detail=f"changed: {','.join(changed)}",
    )
    return locked


def expense_mark_paid(
    *, expense: Expense, user: User, paid_on: datetime.date, request: HttpRequest | None = None
) -> Expense:
    """A committed expense is paid now (on `paid_on`, not in the future). Its rate and EUR amount stay."""
    today = timezone.localdate()
    if paid_on > today:
        raise MoneyError({"paid_on": _("A payment cannot be dated in the future.")})
    if paid_on < EARLIEST_DATE:
        raise MoneyError({"paid_on": _("Check the year: %(date)s is too long ago.") % {"date": paid_on.isoformat()}})
    with transaction.atomic():
        locked = Expense.objects.select_for_update().get(pk=expense.pk)
        locked.case = expense.case
        if locked.state == Expense.State.PAID and locked.reverses_id is None:
            return locked  # marked paid already (the same form sent twice): nothing to do
        _editable(locked)
        locked.state = Expense.State.PAID
        locked.spent_on = paid_on
        locked._change_reason = change_reason(["state", "spent_on"])
        locked._history_user = user
        locked.save()
    record_access(
        user=user,
        action=AccessEvent.Action.EXPENSE_CHANGE,
        request=request,
        case_reference=expense.case.reference,
        target=f"expense {locked.pk}",
        detail="paid",
    )
    return locked


def expense_delete(*, expense: Expense, user: User, request: HttpRequest | None = None) -> None:
    """Deletes a committed expense that will not be paid after all. Its history keeps it."""
    with transaction.atomic():
        locked = Expense.objects.select_for_update().get(pk=expense.pk)
        locked.case = expense.case
        _editable(locked)
        locked._change_reason = "deleted"
        locked._history_user = user
        locked.delete()
    record_access(
        user=user,
        action=AccessEvent.Action.EXPENSE_CHANGE,
        request=request,
        case_reference=expense.case.reference,
        target=f"expense {expense.pk}",
        detail="deleted",
    )


def expense_reverse(
    *,
    expense: Expense,
    user: User,
    reason: str,
    on_date: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> Expense:
    """Corrects a paid expense with a reversing entry: the same amounts negated, the reason as its description.

    Locks the expense row, so it is reversed once even if two people try at once
    (a unique constraint on `reverses` backs this up).
    """
    case = expense.case
    reason = reason.strip()
    on_date = on_date or timezone.localdate()
    if case.is_erased:
        raise MoneyError(_("This case was erased."))
    if not reason:
        raise MoneyError({"reason": _("Say what was wrong with it; the reason is kept with the correction.")})
    if len(reason) > 500:
        raise MoneyError({"reason": _("Keep the reason under 500 characters.")})
    if on_date > timezone.localdate():
        raise MoneyError({"on_date": _("A correction cannot be dated in the future.")})
    if on_date < expense.spent_on:
        raise MoneyError({"on_date": _("A correction cannot be dated before the expense it corrects.")})
    try:
        with transaction.atomic():
            locked = Expense.objects.select_for_update().get(pk=expense.pk)
            if locked.state != Expense.State.PAID:
                raise MoneyError(_("Only a paid expense is reversed; a committed one can be changed or deleted."))
            if locked.reverses_id is not None:
                raise MoneyError(_("A reversing entry is not reversed again: record the right expense instead."))
            if Expense.objects.filter(reverses=locked).exists():
                raise MoneyError(_("This expense was reversed already."))
            reversal = Expense(
                case=case,
                data_key_id=case.data_key_id,
                stage_id=locked.stage_id,
                amount=-locked.amount,
                currency=locked.currency,
                rate_to_eur=locked.rate_to_eur,
                amount_eur=-locked.amount_eur,
                spent_on=on_date,
                description=reason,
                state=Expense.State.PAID,
                reverses=locked,
                created_by=user,
            )
            reversal._change_reason = "reversal"
            reversal._history_user = user
            reversal.save()
    except IntegrityError:
        raise MoneyError(_("This expense was reversed already.")) from None
    record_access(
        user=user,
        action=AccessEvent.Action.EXPENSE_REVERSE,
        request=request,
        case_reference=case.reference,
        target=f"expense {expense.pk}",
        detail=f"reversal {reversal.pk}: {reversal.amount_eur} EUR",
    )
    return reversal


# ---- Budgets -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageSpending:
    kind: str
    label: str
    committed: Decimal
    paid: Decimal

    @property
    def total(self) -> Decimal:
        return self.committed + self.paid


@dataclass(frozen=True)
class Budget:
    """A case's money in EUR: committed (promised) and paid expenses against its budget."""

    budget: Decimal
    committed: Decimal
    paid: Decimal
    by_stage: list[StageSpending]

    @property
    def total(self) -> Decimal:
        return self.committed + self.paid

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.total

    @property
    def is_over(self) -> bool:
        return self.total > self.budget

    @property
    def used_percent(self) -> int:
        if self.budget <= 0:
            return 100
        return int((self.total * 100 / self.budget).to_integral_value(rounding=ROUNDING))


def case_budget(case: Case) -> Budget:
    """Committed, paid and remaining, and the same by stage: one query."""
    rows = (
        Expense.objects.filter(case=case)
        .order_by()
        .values("stage__kind", "state")
        .annotate(total=exact_eur_sum("amount_eur"))
    )
    sums: dict[tuple[str, str], Decimal] = {(row["stage__kind"], row["state"]): cents(row["total"]) for row in rows}
    return _budget(case, sums)


def budget_of(case: Case, expenses: list[Expense]) -> Budget:
    """The same as case_budget(), from the case's expenses already loaded (with their stage): no query."""
    sums: dict[tuple[str, str], Decimal] = {}
    for expense in expenses:
        key = (expense.stage.kind, expense.state)
        sums[key] = sums.get(key, Decimal("0.00")) + expense.amount_eur
    return _budget(case, sums)


def _budget(case: Case, sums: dict[tuple[str, str], Decimal]) -> Budget:
    zero = Decimal("0.00")
    by_stage = [
        StageSpending(
            kind=kind,
            label=str(label),
            committed=sums.get((kind, Expense.State.COMMITTED), zero),
            paid=sums.get((kind, Expense.State.PAID), zero),
        )
        for kind, label in Stage.Kind.choices
    ]
    return Budget(
        budget=case.budget_eur,
        committed=sum((row.committed for row in by_stage), zero),
        paid=sum((row.paid for row in by_stage), zero),
        by_stage=by_stage,
    )


def case_set_budget(
    *, case: Case, user: User, budget_eur: Decimal, reason: str, request: HttpRequest | None = None
) -> Case:
    """A coordinator changes a case's budget, saying why; the reason is kept in the case's history.

    Locks the case row; the case's version is not raised, so a caseworker's
    edit in progress is not refused because of it.
    """
    if not user.has_perm("cases.change_budget"):
        raise PermissionDenied
    reason = " ".join(reason.split())
    errors = {}
    if not budget_eur.is_finite() or budget_eur <= 0:
        errors["budget_eur"] = _("A budget is more than zero.")
    elif budget_eur > MAX_BUDGET_EUR:
        errors["budget_eur"] = _("A budget is at most 1,000,000 EUR. Check the amount.")
    elif budget_eur != budget_eur.quantize(CENT):
        errors["budget_eur"] = _("An amount has at most two decimal places.")
    if not reason:
        errors["reason"] = _("Say why the budget changes; the reason is kept in the case's history.")
    elif len(reason) > 100:
        errors["reason"] = _("Keep the reason under 100 characters.")
    if errors:
        raise MoneyError(errors)
    if case.is_erased:
        raise MoneyError(_("This case was erased."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        previous = locked.budget_eur
        locked.budget_eur = budget_eur
        locked._change_reason = reason
        locked._history_user = user
        locked.save(update_fields=["budget_eur", "updated_at"])
    record_access(
        user=user,
        action=AccessEvent.Action.BUDGET_CHANGE,
        request=request,
        case_reference=case.reference,
        target=f"{previous} -> {budget_eur} EUR",
        detail=reason,
    )
    case.budget_eur = budget_eur
    return locked


# ---- Funds -------------------------------------------------------------------------------------------------


@dataclass
class FundValues:
    source: str
    amount: Decimal
    currency: str
    received_on: datetime.date
    restricted: bool = False
    note: str = ""
    rate_to_eur: Decimal | None = None


def _check_fund(values: FundValues) -> tuple[Decimal, Decimal]:
    errors: dict[str, str] = {}
    if not values.source.strip():
        errors["source"] = _("Name the appeal or grant.")
    if not values.amount.is_finite() or values.amount <= 0:
        errors["amount"] = _("An amount is more than zero.")
    elif values.amount != values.amount.quantize(CENT):
        errors["amount"] = _("An amount has at most two decimal places.")
    elif values.amount > MAX_FUND_AMOUNT:
        errors["amount"] = _("That amount is too large to be one fund. Check it.")
    if values.received_on > timezone.localdate():
        errors["received_on"] = _("Money is recorded when it has come: today or before.")
    elif values.received_on < EARLIEST_DATE:
        errors["received_on"] = _("Check the year: %(date)s is too long ago.") % {
            "date": values.received_on.isoformat()
        }
    if errors:
        raise MoneyError(errors)
    rate, _warnings = resolve_rate(currency=values.currency, on_date=values.received_on, entered=values.rate_to_eur)
    amount_eur = to_eur(values.amount, rate)  # the warnings are shown once it is saved: fund_rate_warnings
    if amount_eur > MAX_FUND_EUR:
        raise MoneyError({"amount": _("That is more than 10,000,000 EUR. Check the amount and the rate.")})
    return rate, amount_eur


def fund_rate_warnings(values: FundValues) -> list[str]:
    """What the coordinator should check about a fund just recorded: a typed rate far from the table's.
    (A fund is not held back for it, unlike an expense: coordinators keep the table and can correct both.)"""
    if values.rate_to_eur is None:
        return []
    try:
        return resolve_rate(currency=values.currency, on_date=values.received_on, entered=values.rate_to_eur)[1]
    except MoneyError:
        return []


def fund_add(*, user: User, values: FundValues, request: HttpRequest | None = None) -> Fund:
    """Records money received; its rate (typed, or the table's for that date) and EUR amount fixed now."""
    if not user.has_perm("cases.add_fund"):
        raise PermissionDenied
    rate, amount_eur = _check_fund(values)
    with transaction.atomic():
        fund = Fund(created_by=user, rate_to_eur=rate, amount_eur=amount_eur)
        _set_fund(fund, values)
        fund._change_reason = "recorded"
        fund._history_user = user
        fund.save()
    record_access(
        user=user,
        action=AccessEvent.Action.FUND_CHANGE,
        request=request,
        target=f"fund {fund.pk}",
        detail=f"{fund.amount} {fund.currency} = {fund.amount_eur} EUR",
    )
    return fund


def fund_update(*, fund: Fund, user: User, values: FundValues, request: HttpRequest | None = None) -> Fund:
    """Corrects a fund's record (history keeps what it was); the rate is fixed anew for its date."""
    if not user.has_perm("cases.change_fund"):
        raise PermissionDenied
    rate, amount_eur = _check_fund(values)
    with transaction.atomic():
        locked = Fund.objects.select_for_update().get(pk=fund.pk)
        _set_fund(locked, values)
        locked.rate_to_eur, locked.amount_eur = rate, amount_eur
        locked._change_reason = "corrected"
        locked._history_user = user
        locked.save()
    record_access(
        user=user,
        action=AccessEvent.Action.FUND_CHANGE,
        request=request,
        target=f"fund {locked.pk}",
        detail=f"corrected: {locked.amount} {locked.currency} = {locked.amount_eur} EUR",
    )
    return locked


def _set_fund(fund: Fund, values: FundValues) -> None:
    fund.source = values.source.strip()
    fund.amount = values.amount
    fund.currency = values.currency
    fund.received_on = values.received_on
    fund.restricted = values.restricted
    fund.note = values.note.strip()


@dataclass(frozen=True)
class FundsSummary:
    """How far the money goes. Every amount in EUR."""

    received: Decimal
    restricted: Decimal
    committed: Decimal
    paid: Decimal
    average_cost: Decimal  # per case resettled, observed; the default budget until one is
    average_is_observed: bool
    cases_counted: int

    @property
    def unrestricted(self) -> Decimal:
        return self.received - self.restricted

    @property
    def available(self) -> Decimal:
        """Received, less what is paid and what is promised."""
        return self.received - self.paid - self.committed

    @property
    def evacuations_left(self) -> int:
        """How many more people the available money gets out, at the average cost per case."""
        if self.available <= 0 or self.average_cost <= 0:
            return 0
        return int(self.available // self.average_cost)


def average_cost_per_case() -> tuple[Decimal | None, int]:
    """The mean of what was spent (committed and paid) on each case resettled (its last stage done): what
    a case costs once its spending is final, as the coordinator's dashboard counts it. One query."""
    resettled = Stage.objects.filter(kind=Stage.Kind.RESETTLED, status=Stage.Status.DONE).values("case_id")
    row = Expense.objects.filter(case_id__in=resettled).aggregate(
        total=exact_eur_sum("amount_eur"), cases=Count("case_id", distinct=True)
    )
    if not row["cases"]:
        return None, 0
    return (cents(row["total"]) / row["cases"]).quantize(CENT, rounding=ROUNDING), row["cases"]


def funds_summary() -> FundsSummary:
    """Funds received against all committed and paid expenses: three queries whatever the number of rows."""
    funds = Fund.objects.aggregate(
        received=exact_eur_sum("amount_eur"),
        restricted=exact_eur_sum("amount_eur", where=Q(restricted=True)),
    )
    spending = Expense.objects.aggregate(
        committed=exact_eur_sum("amount_eur", where=Q(state=Expense.State.COMMITTED)),
        paid=exact_eur_sum("amount_eur", where=Q(state=Expense.State.PAID)),
    )
    average, counted = average_cost_per_case()
    return FundsSummary(
        received=cents(funds["received"]),
        restricted=cents(funds["restricted"]),
        committed=cents(spending["committed"]),
        paid=cents(spending["paid"]),
        average_cost=average if average is not None else settings.PASSAGE_DEFAULT_BUDGET_EUR,
        average_is_observed=average is not None,
        cases_counted=counted,
    )
