"""The donor report: aggregate figures of a period, for the people who fund the work.

Only counts and sums: no case reference, no name, nothing sealed, not even a
safe house's code name. A fixed number of queries whatever the number of
cases, expenses or stays.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least, TruncMonth
from django.utils import formats
from django.utils.translation import gettext as _

from cases.models import Case, Expense, Fund
from shelters.charts import Chart, column_chart
from shelters.dashboard import CaseCosts, case_costs, cents, completed_cases, eur_total, spending_by_stage
from shelters.models import Placement, Shelter

# The chart of a longer period shows years instead of months, so the PDF stays one page.
MAX_MONTHS_CHARTED = 24


@dataclass
class DonorReport:
    date_from: datetime.date
    date_to: datetime.date  # inclusive
    funds_received: Decimal
    funds_restricted: Decimal
    grants: int
    paid: Decimal
    committed: Decimal
    by_stage: list[tuple[str, str, Decimal]]  # (kind, label, EUR)
    by_month: list[tuple[datetime.date, Decimal]]
    cases_opened: int
    cases_resettled: int
    people_sheltered: int
    nights_sheltered: int
    safe_houses: int
    beds: int
    costs: CaseCosts
    balance_at_end: Decimal
    chart: Chart | None = None

    @property
    def spent(self) -> Decimal:
        return self.paid + self.committed


def _months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


def donor_report(*, date_from: datetime.date, date_to: datetime.date) -> DonorReport:
    """Figures of the period from `date_from` to `date_to`, both included. Eleven queries."""
    after = date_to + datetime.timedelta(days=1)
    funds = Fund.objects.filter(received_on__gte=date_from, received_on__lte=date_to).aggregate(
        received=eur_total(F("amount_eur")),
        restricted=eur_total(F("amount_eur"), where=Q(restricted=True)),
        grants=Count("pk"),
    )
    in_period = Expense.objects.filter(spent_on__gte=date_from, spent_on__lte=date_to)
    spent = in_period.aggregate(
        paid=eur_total(F("amount_eur"), where=Q(state=Expense.State.PAID)),
        committed=eur_total(F("amount_eur"), where=Q(state=Expense.State.COMMITTED)),
    )
    months = _months_between(date_from, date_to)
    month_totals = {
        (month.year, month.month): total
        for month, total in in_period.annotate(month=TruncMonth("spent_on"))
        .order_by()
        .values_list("month")
        .annotate(total=eur_total(F("amount_eur")))
    }
    by_month = [(month, cents(month_totals.get((month.year, month.month)))) for month in months]

    resettled = completed_cases(ended_from=date_from, ended_to=date_to)
    stays = Placement.objects.overlapping(date_from, after)
    nights = ExpressionWrapper(
        Least(Coalesce(F("ends_on"), Value(after)), Value(after)) - Greatest(F("starts_on"), Value(date_from)),
        output_field=DurationField(),
    )
    sheltered = stays.aggregate(people=Count("case", distinct=True), nights=Sum(nights))
    houses = Shelter.objects.active().aggregate(houses=Count("pk"), beds=Sum("capacity"))
    # What was left at the end of the period: everything received until then, less everything spent until then.
    received_until = Fund.objects.filter(received_on__lte=date_to).aggregate(total=eur_total(F("amount_eur")))
    spent_until = Expense.objects.filter(spent_on__lte=date_to).aggregate(total=eur_total(F("amount_eur")))
    return DonorReport(
        date_from=date_from,
        date_to=date_to,
        funds_received=cents(funds["received"]),
        funds_restricted=cents(funds["restricted"]),
        grants=funds["grants"],
        paid=cents(spent["paid"]),
        committed=cents(spent["committed"]),
        by_stage=spending_by_stage(in_period),
        by_month=by_month,
        cases_opened=Case.objects.filter(intake_date__gte=date_from, intake_date__lte=date_to).count(),
        cases_resettled=resettled.count(),
        people_sheltered=sheltered["people"],
        nights_sheltered=sheltered["nights"].days if sheltered["nights"] else 0,
        safe_houses=houses["houses"],
        beds=houses["beds"] or 0,
        costs=case_costs(resettled),
        balance_at_end=cents(received_until["total"]) - cents(spent_until["total"]),
    )


def with_chart(report: DonorReport) -> DonorReport:
    """Adds the chart of spending: by month, or by year when the period is longer than MAX_MONTHS_CHARTED."""
    if len(report.by_month) <= MAX_MONTHS_CHARTED:
        columns = [(formats.date_format(month, "n"), total) for month, total in report.by_month]
        description = _("Committed and paid expenses in EUR for each month of the period (by number), oldest first.")
    else:
        years: dict[int, Decimal] = {}
        for month, total in report.by_month:
            years[month.year] = years.get(month.year, Decimal(0)) + total
        columns = [(str(year), total) for year, total in years.items()]
        description = _("Committed and paid expenses in EUR for each year of the period, oldest first.")
    report.chart = column_chart(columns, title=_("Spending (EUR)"), description=description, width=480)
    return report


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def summary_rows(report: DonorReport) -> list[tuple[str, str]]:
    """(what, value) pairs of the main figures, in the order the report gives them."""
    return [
        (_("Period from"), report.date_from.isoformat()),
        (_("Period to"), report.date_to.isoformat()),
        (_("Funds received (EUR)"), _money(report.funds_received)),
        (_("of which restricted to a named purpose (EUR)"), _money(report.funds_restricted)),
        (_("Grants and appeals received"), str(report.grants)),
        (_("Paid (EUR)"), _money(report.paid)),
        (_("Committed, not yet paid (EUR)"), _money(report.committed)),
        (_("Balance at the end of the period (EUR)"), _money(report.balance_at_end)),
        (_("Cases opened"), str(report.cases_opened)),
        (_("People resettled"), str(report.cases_resettled)),
        (_("Mean cost per person resettled (EUR)"), _money(report.costs.mean)),
        (_("Median cost per person resettled (EUR)"), _money(report.costs.median)),
        (_("Highest cost per person resettled (EUR)"), _money(report.costs.highest)),
        (_("People given a safe house"), str(report.people_sheltered)),
        (_("Nights in safe houses"), str(report.nights_sheltered)),
        (_("Safe houses open now"), str(report.safe_houses)),
        (_("Beds in them"), str(report.beds)),
    ]


def figure_rows(report: DonorReport) -> list[tuple[str, str]]:
    """Every figure: the main ones, then spending by stage and by month (what the CSV holds)."""
    rows = summary_rows(report)
    rows += [
        (_("Spent on %(stage)s (EUR)") % {"stage": label}, _money(total)) for _kind, label, total in report.by_stage
    ]
    rows += [
        (_("Spent in %(month)s (EUR)") % {"month": month.strftime("%Y-%m")}, _money(total))
        for month, total in report.by_month
    ]
    return rows


def as_csv(report: DonorReport) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read Cyrillic right), one figure a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Figure"), _("Value")])
    for label, value in figure_rows(report):
        # A label starting with =, +, - or @ would be run as a formula by a spreadsheet; ours never do, but be sure.
        writer.writerow([label if label[:1] not in "=+-@" else f"'{label}", value])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
