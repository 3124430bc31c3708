"""Fictional safe houses and stays for a development run (seed_demo). Every name and address here is invented."""

from __future__ import annotations

import contextlib
import datetime
import random

from django.utils import timezone

from accounts.models import User
from cases.models import Case
from shelters.models import KeepApart, Shelter
from shelters.services import (
    PlacementError,
    case_place_in_shelter,
    keep_apart_add,
    place_request_create,
    placement_end,
    shelter_create,
    shelter_update,
)

# Code names of things, cities that do not exist, addresses that say they are not real.
DEMO_SHELTERS = [
    ("Lighthouse", "City C (fictional)", 6, "1450.00"),
    ("Orchard", "City C (fictional)", 4, "980.00"),
    ("Harbour", "Town A (fictional)", 8, "2100.00"),
    ("Lantern", "Town A (fictional)", 3, None),
    ("Willow", "Village B (fictional)", 5, "760.00"),
    ("Meadow", "Village B (fictional)", 2, "400.00"),
]


def seed_shelters(*, users: dict[str, User], stdout) -> None:
    if Shelter.objects.exists():
        stdout.write("Demo safe houses exist already.")
        return
    rng = random.Random(2019)  # the same demo data on every machine
    coordinator = users["coordinator"]
    today = timezone.localdate()
    houses = []
    for number, (code_name, city, beds, cost) in enumerate(DEMO_SHELTERS, start=1):
        houses.append(
            shelter_create(
                by=coordinator,
                data={
                    "code_name": code_name,
                    "city": city,
                    "capacity": beds,
                    "monthly_cost_eur": cost,
                    "address": f"Demo address {number}, Example Lane (not a real place)",
                    "contact": f"Demo keeper {number}, +0 000 000-00-{number:02d} (not a real number)",
                    "notes": "Demo notes: ground floor, two keys, no neighbours who ask questions.",
                },
            )
        )
    shelter_update(shelter=houses[-1], by=coordinator, changes={"status": Shelter.Status.CLOSED})
    open_houses = houses[:-1]

    cases = list(Case.objects.exclude(status=Case.Status.CLOSED).filter(erased_at__isnull=True).order_by("pk"))
    placed = 0
    for case in cases[:18]:
        starts_on = max(case.intake_date, today - datetime.timedelta(days=rng.randint(0, 60)))
        ends_on = None if rng.random() < 0.6 else today + datetime.timedelta(days=rng.randint(3, 45))
        for house in rng.sample(open_houses, len(open_houses)):
            try:
                case_place_in_shelter(case=case, shelter=house, starts_on=starts_on, ends_on=ends_on, by=coordinator)
            except PlacementError:
                continue  # full on one of those nights: try the next house
            placed += 1
            break
    # A stay that is over, and one planned for next week.
    for case in cases[18:20]:
        stay = case_place_in_shelter(
            case=case, shelter=open_houses[0], starts_on=today - datetime.timedelta(days=40), by=coordinator
        )
        placement_end(placement=stay, on=today - datetime.timedelta(days=10), by=coordinator)
    for case in cases[20:21]:
        with contextlib.suppress(PlacementError):  # full that night: the demo does without
            case_place_in_shelter(
                case=case, shelter=open_houses[1], starts_on=today + datetime.timedelta(days=7), by=coordinator
            )
    # A caseworker asks for a place; two cases must never share a house.
    requester = users["caseworker"]
    for case in cases[21:23]:
        if case.placement_requests.exists():
            continue
        place_request_create(
            case=case,
            wanted_from=today + datetime.timedelta(days=2),
            note="Demo: a quiet room if possible; no stairs.",
            by=requester,
        )
    if len(cases) >= 2 and not KeepApart.objects.exists():
        keep_apart_add(case=cases[0], other=cases[-1], reason=KeepApart.Reason.SAME_TOWN, by=coordinator)
    stdout.write(f"Created {len(houses)} fictional safe houses and placed {placed} demo cases.")
