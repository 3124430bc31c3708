"""Occupancy of safe houses as people read it: beds, taken, free, what is planned for the next 30 days."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from shelters.models import OCCUPANCY_HORIZON_DAYS, Shelter


def full_percent() -> int:
    """A safe house this full (in percent of its beds) or fuller is flagged."""
    return settings.PASSAGE_SHELTER_FULL_PERCENT


@dataclass(frozen=True)
class OccupancyRow:
    shelter: Shelter
    beds: int
    occupied: int
    arrivals: int  # planned in the next OCCUPANCY_HORIZON_DAYS
    departures: int
    horizon: datetime.date
    full_at: int

    @property
    def free(self) -> int:
        return max(self.beds - self.occupied, 0)

    @property
    def percent(self) -> int:
        """Beds taken today, in whole percent (rounded down, so 89.9% never reads as 90%)."""
        return self.occupied * 100 // self.beds if self.beds else 0

    @property
    def occupied_at_horizon(self) -> int:
        """Beds taken on the night of `horizon`: today's, plus planned arrivals, minus planned departures."""
        return self.occupied + self.arrivals - self.departures

    @property
    def free_at_horizon(self) -> int:
        return max(self.beds - self.occupied_at_horizon, 0)

    @property
    def is_active(self) -> bool:
        return self.shelter.is_active

    @property
    def is_full(self) -> bool:
        """At or above the flag threshold today (exact integer arithmetic, no rounding)."""
        return self.is_active and self.occupied * 100 >= self.full_at * self.beds


def occupancy_rows(shelters: Iterable[Shelter], *, today: datetime.date, full_at: int) -> list[OccupancyRow]:
    """Rows for shelters annotated by `Shelter.objects.with_occupancy(on=today)`."""
    horizon = today + datetime.timedelta(days=OCCUPANCY_HORIZON_DAYS)
    return [
        OccupancyRow(
            shelter=shelter,
            beds=shelter.capacity,
            occupied=shelter.occupied,
            arrivals=shelter.arrivals,
            departures=shelter.departures,
            horizon=horizon,
            full_at=full_at,
        )
        for shelter in shelters
    ]
