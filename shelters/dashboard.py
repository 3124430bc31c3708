"""The figures of the coordinator's dashboard, each computed in SQL.

Every function here runs a fixed number of queries whatever the number of
cases, stays or safe houses, and returns case references and counts only:
nothing sealed is read, so no data key is ever opened for the dashboard.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Window

from cases.models import Case
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


def _references(cases) -> ReferenceList:
    """The first LIST_LIMIT references of a queryset of cases and their number, in one query
    (the number is a window count over the whole filtered set, computed before the limit)."""
    rows = list(cases.annotate(total=Window(Count("pk"))).values_list("reference", "total")[:LIST_LIMIT])
    return ReferenceList([reference for reference, _total in rows], rows[0][1] if rows else 0)


def active_cases():
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
    shelters = Shelter.objects.with_occupancy(on=today).order_by("status", "code_name")
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
