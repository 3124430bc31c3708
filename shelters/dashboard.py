"""The figures of the coordinator's dashboard, each computed in SQL.

Every function here runs a fixed number of queries whatever the number of
cases, stays or safe houses, and returns case references and counts only:
nothing sealed is read, so no data key is ever opened for the dashboard.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Round, TruncMonth
from django.utils import formats

from cases.models import Case, Expense, Fund, Stage, TravelPaper, money_field
from shelters.charts import Chart, part_of_whole_chart
from shelters.models import KeepApart, Placement, PlacementRequest, Shelter
from shelters.occupancy import OccupancyRow, full_percent, occupancy_rows

# Lists on the dashboard show this many references, and say how many more there are.
LIST_LIMIT = 20
# The occupancy chart draws the fullest houses; the table holds them all.
CHART_SHELTERS = 25


@dataclass(frozen=True)
class ReferenceList:
    """Some case references and how many there are in all."""

    references: list[str]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.references), 0)


def _references(cases: QuerySet[Case]) -> ReferenceList:
    """The first LIST_LIMIT references of a queryset of cases and their number, in one query
    (the number is a window count over the whole filtered set, computed before the limit)."""
    rows = list(cases.annotate(total=Window(Count("pk"))).values_list("reference", "total")[:LIST_LIMIT])
    return ReferenceList([reference for reference, _total in rows], rows[0][1] if rows else 0)


def active_cases() -> QuerySet[Case]:
    """Cases still in the pipeline: neither closed nor erased."""
    return Case.objects.filter(erased_at__isnull=True).exclude(status=Case.Status.CLOSED)


@dataclass
class ShelterFigures:
    rows: list[OccupancyRow]
    chart: Chart
    beds: int
    occupied: int
    full: list[OccupancyRow] = field(default_factory=list)

    @property
    def free(self) -> int:
        return max(self.beds - self.occupied, 0)


def shelter_figures(*, today: datetime.date, chart_title: str, chart_description: str) -> ShelterFigures:
    """One query: every safe house with its occupancy tonight and the next 30 days."""
    full_at = full_percent()
    shelters = (
        Shelter.objects.only("id", "code_name", "city", "capacity", "status")
        .with_occupancy(on=today)
        .order_by("status", "code_name")
    )
    rows = occupancy_rows(shelters, today=today, full_at=full_at)
    active = [row for row in rows if row.is_active]
    fullest = sorted(active, key=lambda row: (-row.occupied / row.beds, row.shelter.code_name))[:CHART_SHELTERS]
    chart = part_of_whole_chart(
        [(row.shelter.code_name, row.occupied, row.beds, row.is_full) for row in fullest],
        title=chart_title,
        description=chart_description,
    )
    return ShelterFigures(
        rows=rows,
        chart=chart,
        beds=sum(row.beds for row in active),
        occupied=sum(row.occupied for row in active),
        full=[row for row in active if row.is_full],
    )


def case_status_counts() -> dict[str, int]:
    """Cases per status (erased ones included under their status): one grouped query."""
    counts = dict.fromkeys(Case.Status.values, 0)
    for status, number in Case.objects.order_by().values_list("status").annotate(number=Count("pk")):
        counts[status] = number
    return counts


def urgent_without_placement(*, today: datetime.date) -> ReferenceList:
    """Cases at urgent risk, still open, with no bed tonight."""
    placed = Placement.objects.covering(today).filter(case=OuterRef("pk"))
    cases = active_cases().filter(risk=Case.Risk.URGENT).filter(~Exists(placed)).order_by("intake_date", "pk")
    return _references(cases)


def pending_requests(*, today: datetime.date) -> tuple[int, int]:
    """Requests for a place waiting for a decision, and how many of them are wanted by today."""
    figures = PlacementRequest.objects.filter(status=PlacementRequest.Status.PENDING).aggregate(
        waiting=Count("pk"), due=Count("pk", filter=Q(wanted_from__lte=today))
    )
    return figures["waiting"], figures["due"]


def keep_apart_conflicts(*, today: datetime.date) -> list[tuple[str, str, str]]:
    """Pairs kept apart who have overlapping stays in the same house on some night from today on:
    (reference, other reference, reason). One query with nested EXISTS."""

    def overlapping_stay_of_b(extra: Q) -> Exists:
        # A stay of case_b in the same house as the outer stay of case_a, overlapping it.
        return Exists(
            Placement.objects.open_on(today)
            .filter(case=OuterRef(OuterRef("case_b")), shelter=OuterRef("shelter"))
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=OuterRef("starts_on")))
            .filter(extra)
        )

    stays_of_a = Placement.objects.open_on(today).filter(case=OuterRef("case_a"))
    open_ended = stays_of_a.filter(ends_on__isnull=True).filter(overlapping_stay_of_b(Q()))
    bounded = stays_of_a.filter(ends_on__isnull=False).filter(
        overlapping_stay_of_b(Q(starts_on__lt=OuterRef("ends_on")))
    )
    pairs = (
        KeepApart.objects.filter(Exists(open_ended) | Exists(bounded))
        .select_related("case_a", "case_b")
        .order_by("case_a__reference", "case_b__reference")[:LIST_LIMIT]
    )
    return [(pair.case_a.reference, pair.case_b.reference, pair.get_reason_display()) for pair in pairs]


# Pipeline


@dataclass(frozen=True)
class StageRow:
    """Cases still in the pipeline (open or on hold) by the status of one kind of stage."""

    kind: str
    label: str
    counts: list[int]  # in Stage.Status order

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class StageItem:
    reference: str
    kind_label: str
    detail: str  # the due date, or the category of what blocks it (never the notes)


@dataclass
class PipelineFigures:
    statuses: list[tuple[str, str]]  # (value, label) of Stage.Status, the columns
    rows: list[StageRow]
    overdue: list[StageItem]
    overdue_total: int
    blocked: list[StageItem]
    blocked_total: int
    blocked_by_reason: list[tuple[str, int]]


def _stage_items(stages, detail) -> tuple[list[StageItem], int]:
    """The first LIST_LIMIT stages (with their case's reference) and their number: one query."""
    rows = list(
        stages.annotate(total=Window(Count("pk"))).values_list(
            "case__reference", "kind", "due_on", "blocked_reason", "total"
        )[:LIST_LIMIT]
    )
    kinds = dict(Stage.Kind.choices)
    items = [
        StageItem(reference, str(kinds.get(kind, kind)), detail(due_on, reason))
        for reference, kind, due_on, reason, _t in rows
    ]
    return items, rows[0][-1] if rows else 0


def pipeline_figures(*, today: datetime.date) -> PipelineFigures:
    """Four queries: stages by kind and status, overdue stages, blocked stages, and blocks by category."""
    stages = Stage.objects.filter(case__in=active_cases())
    counts = {
        (kind, status): number
        for kind, status, number in stages.order_by().values_list("kind", "status").annotate(number=Count("pk"))
    }
    statuses = list(Stage.Status.choices)
    rows = [
        StageRow(kind, str(label), [counts.get((kind, status), 0) for status, _label in statuses])
        for kind, label in Stage.Kind.choices
    ]
    reasons = dict(Stage.BlockedReason.choices)
    overdue, overdue_total = _stage_items(
        stages.overdue(today=today).order_by("due_on", "case__reference"),
        lambda due_on, _reason: formats.date_format(due_on, "Y-m-d"),
    )
    blocked = stages.filter(status=Stage.Status.BLOCKED)
    blocked_items, blocked_total = _stage_items(
        blocked.order_by("case__reference", "position"),
        lambda _due_on, reason: str(reasons.get(reason, reason)),
    )
    by_reason = [
        (str(reasons.get(reason, reason)), number)
        for reason, number in blocked.order_by()
        .values_list("blocked_reason")
        .annotate(number=Count("pk"))
        .order_by("-number", "blocked_reason")
    ]
    return PipelineFigures(
        statuses=[(value, str(label)) for value, label in statuses],
        rows=rows,
        overdue=overdue,
        overdue_total=overdue_total,
        blocked=blocked_items,
        blocked_total=blocked_total,
        blocked_by_reason=by_reason,
    )


# Money

CENT = Decimal("0.01")
MONTHS_CHARTED = 12


def eur_total(value, *, where: Q | None = None) -> ExpressionWrapper:
    """SUM of an amount to the cent, exact on every database, zero when there is nothing to sum.

    SQLite keeps decimals as binary floats; summing whole cents (integers, exact in a
    float up to 2**53) and dividing once keeps the total exact there (as
    cases.models.exact_eur_sum does), and changes nothing on PostgreSQL.
    """
    whole_cents = Sum(Round(value * 100), filter=where, output_field=DecimalField(max_digits=18, decimal_places=0))
    summed = Coalesce(whole_cents, Value(Decimal(0)), output_field=DecimalField(max_digits=18, decimal_places=0))
    return ExpressionWrapper(summed / 100, output_field=money_field())


def cents(value) -> Decimal:
    return (Decimal(value) if value is not None else Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


def completed_cases(
    *, ended_from: datetime.date | None = None, ended_to: datetime.date | None = None
) -> QuerySet[Case]:
    """Cases whose last stage, resettled, is done (optionally: ended within these days): their spending is
    final, so what they cost is what a case costs. (Not "closed": a case may close without getting out.)"""
    resettled = Stage.objects.filter(case=OuterRef("pk"), kind=Stage.Kind.RESETTLED, status=Stage.Status.DONE)
    if ended_from is not None:
        resettled = resettled.filter(ended_on__gte=ended_from)
    if ended_to is not None:
        resettled = resettled.filter(ended_on__lte=ended_to)
    return Case.objects.filter(Exists(resettled))


@dataclass(frozen=True)
class CaseCosts:
    """Cost per completed case (committed and paid, in EUR)."""

    cases: int
    total: Decimal
    median: Decimal | None
    highest: Decimal | None

    @property
    def mean(self) -> Decimal | None:
        return (self.total / self.cases).quantize(CENT, rounding=ROUND_HALF_UP) if self.cases else None


def case_costs(cases) -> CaseCosts:
    """Two queries whatever the number of cases: the count, sum and highest; then the one or two middle values."""
    costed = cases.with_spending()
    figures = costed.aggregate(cases=Count("pk"), total=eur_total(F("spent_eur")), highest=Max("spent_eur"))
    count = figures["cases"]
    # Always run the second query, so the number of queries never depends on the data.
    first = max(count - 1, 0) // 2
    middle = list(costed.order_by("spent_eur", "pk").values_list("spent_eur", flat=True)[first : first + 2])
    median = None
    if count:
        values = [cents(value) for value in middle]
        median = values[0] if count % 2 else cents((values[0] + values[1]) / 2)
    return CaseCosts(
        cases=count,
        total=cents(figures["total"]),
        median=median,
        highest=cents(figures["highest"]) if count else None,
    )


@dataclass
class MoneyFigures:
    received: Decimal
    restricted: Decimal
    committed: Decimal
    paid: Decimal
    by_stage: list[tuple[str, str, Decimal]]  # (kind, label, EUR)
    by_month: list[tuple[datetime.date, Decimal]]
    costs: CaseCosts
    over_budget: int
    default_budget: Decimal
    chart: Chart | None = None

    @property
    def balance(self) -> Decimal:
        """Received, less what is paid and what is promised (committed)."""
        return self.received - self.paid - self.committed

    @property
    def runway(self) -> int | None:
        """How many more evacuations the balance pays for at the mean cost of a completed case
        (None until a case is completed with a cost)."""
        mean = self.costs.mean
        if mean is None or mean <= 0:
            return None
        return max(int(self.balance // mean), 0)

    @property
    def runway_at_default_budget(self) -> int:
        return max(int(self.balance // self.default_budget), 0) if self.default_budget > 0 else 0


def _months(last: datetime.date, count: int) -> list[datetime.date]:
    """The first days of `count` months up to the month of `last`, oldest first."""
    year, month = last.year, last.month
    firsts = []
    for _ in range(count):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def spending_by_stage(expenses) -> list[tuple[str, Decimal]]:
    totals = dict(expenses.order_by().values_list("stage__kind").annotate(total=eur_total(F("amount_eur"))))
    return [(kind, str(label), cents(totals.get(kind))) for kind, label in Stage.Kind.choices]


def spending_by_month(expenses, months: list[datetime.date]) -> list[tuple[datetime.date, Decimal]]:
    end = months[-1].replace(day=28) + datetime.timedelta(days=4)
    end = end.replace(day=1)  # the first day after the last month
    totals = {
        (month.year, month.month): total
        for month, total in expenses.filter(spent_on__gte=months[0], spent_on__lt=end)
        .annotate(month=TruncMonth("spent_on"))
        .order_by()
        .values_list("month")
        .annotate(total=eur_total(F("amount_eur")))
    }
    return [(month, cents(totals.get((month.year, month.month)))) for month in months]


def money_figures(*, today: datetime.date) -> MoneyFigures:
    """Seven queries: funds, expenses by state, by stage, by month, case costs (two) and cases over budget."""
    funds = Fund.objects.aggregate(
        received=eur_total(F("amount_eur")), restricted=eur_total(F("amount_eur"), where=Q(restricted=True))
    )
    spent = Expense.objects.aggregate(
        committed=eur_total(F("amount_eur"), where=Q(state=Expense.State.COMMITTED)),
        paid=eur_total(F("amount_eur"), where=Q(state=Expense.State.PAID)),
    )
    over_budget = _over_budget(Expense.objects.all()).count()
    return MoneyFigures(
        received=cents(funds["received"]),
        restricted=cents(funds["restricted"]),
        committed=cents(spent["committed"]),
        paid=cents(spent["paid"]),
        by_stage=spending_by_stage(Expense.objects.all()),
        by_month=spending_by_month(Expense.objects.all(), _months(today, MONTHS_CHARTED)),
        costs=case_costs(completed_cases()),
        over_budget=over_budget,
        default_budget=settings.PASSAGE_DEFAULT_BUDGET_EUR,
    )


# Alerts that need stages and money


@dataclass(frozen=True)
class PaperAlert:
    reference: str
    kind_label: str
    expires_on: datetime.date


def papers_expiring(*, today: datetime.date) -> tuple[list[PaperAlert], int]:
    """Travel papers in hand that expire within PASSAGE_PAPER_EXPIRY_WARNING_DAYS, for cases still in the pipeline."""
    papers = TravelPaper.objects.expiring(today=today).filter(case__in=active_cases()).order_by("expires_on", "pk")
    rows = list(
        papers.annotate(total=Window(Count("pk"))).values_list("case__reference", "kind", "expires_on", "total")[
            :LIST_LIMIT
        ]
    )
    kinds = dict(TravelPaper.Kind.choices)
    alerts = [PaperAlert(reference, str(kinds.get(kind, kind)), expires_on) for reference, kind, expires_on, _t in rows]
    return alerts, rows[0][-1] if rows else 0


def _over_budget(expenses: QuerySet[Expense]) -> QuerySet:
    """Per case, its committed and paid total where it is more than the case's budget: one grouped pass
    over the expenses (HAVING), rather than a subquery for every case. A case with no expense is never over."""
    return (
        expenses.order_by()
        .values("case__reference", "case__budget_eur")
        .annotate(total=eur_total(F("amount_eur")))
        .filter(total__gt=F("case__budget_eur"))
    )


def over_budget_cases() -> ReferenceList:
    """Cases still in the pipeline that have cost more than their budget: one query."""
    rows = list(
        _over_budget(Expense.objects.filter(case__in=active_cases()))
        .annotate(cases=Window(Count("*")))
        .order_by("case__reference")
        .values_list("case__reference", "cases")[:LIST_LIMIT]
    )
    return ReferenceList([reference for reference, _cases in rows], rows[0][1] if rows else 0)
