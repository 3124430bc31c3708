"""Fast seeding of fictional data for the benchmarks: bulk inserts, with real encryption."""

from __future__ import annotations

import datetime
import random
import time

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, CaseUserObjectPermission
from vault import crypto
from vault.keys import _remember, key_scope, newest_master_key
from vault.models import DataKey

BATCH = 2000


def users(caseworkers: int) -> dict[str, list[User]]:
    """Benchmark accounts; they sign in with force_login, so they get no usable password."""
    made: dict[str, list[User]] = {}
    for role, count in (("caseworker", caseworkers), ("coordinator", 1), ("lawyer", 1)):
        group = Group.objects.get(name=Role(role).value)
        names = [f"bench_{role}_{number}" for number in range(count)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        fresh = [User(username=name, password="!") for name in names if name not in existing]
        User.objects.bulk_create(fresh, batch_size=BATCH)
        accounts = list(User.objects.filter(username__in=names).order_by("id"))
        group.user_set.add(*accounts)
        made[role] = accounts
    return made


def cases(total: int, caseworkers: list[User], *, out=print) -> None:
    """Seeds cases up to `total`: each with its own wrapped data key, sealed fields, history and grants."""
    have = Case.objects.count()
    if have >= total:
        out(f"{have} cases already seeded")
        return
    view = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    change = Permission.objects.get(codename="change_case", content_type__app_label="cases")
    master_id, master = newest_master_key()
    rng = random.Random(have)
    started = time.perf_counter()
    number = have
    with key_scope():
        while number < total:
            size = min(BATCH, total - number)
            keys, rows = [], []
            for offset in range(size):
                data_key = DataKey(master_key_id=master_id)
                clear = crypto.new_key()
                data_key.wrapped = crypto.wrap(master, clear, data_key_id=data_key.id)
                _remember(data_key.id, clear)
                keys.append(data_key)
                index = number + offset
                rows.append(
                    Case(
                        data_key=data_key,
                        reference=f"EV-{2000 + index // 900_000}-{index % 900_000 + 1:06d}",
                        legal_name=f"Bench Fictional {index}",
                        chosen_name=f"Bench {index}",
                        phone=f"+7 900 {index:07d}",
                        narrative="Fictional benchmark narrative. " * 8,
                        medical_notes="Fictional.",
                        current_location="Fictional place",
                        risk=rng.choice(Case.Risk.values),
                        intake_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=index % 600),
                    )
                )
            with transaction.atomic():
                DataKey.objects.bulk_create(keys)
                for row in rows:
                    row._refresh_blind_indexes()
                created = bulk_create_with_history(rows, Case, batch_size=BATCH)
                grants = []
                for position, case in enumerate(created):
                    owner = caseworkers[(number + position) % len(caseworkers)]
                    grants += [
                        CaseUserObjectPermission(content_object=case, user=owner, permission=view),
                        CaseUserObjectPermission(content_object=case, user=owner, permission=change),
                    ]
                CaseUserObjectPermission.objects.bulk_create(grants)
            number += size
            rate = (number - have) / (time.perf_counter() - started)
            out(f"\rseeded {number}/{total} cases ({rate:.0f}/s)", end="", flush=True)
    out("")


def shelters(total: int, *, out=print) -> None:
    """Seeds safe houses up to `total` (sealed addresses, history) and stays for some of the cases:
    each house between half full and full tonight, and two stays already over per bed;
    never more people than beds on any night, as the placing service guarantees."""
    from shelters.models import Placement, Shelter

    have = Shelter.objects.count()
    if have >= total:
        out(f"{have} safe houses already seeded")
        return
    master_id, master = newest_master_key()
    rng = random.Random(total)
    today = datetime.date.today()
    with key_scope(), transaction.atomic():
        keys, rows = [], []
        for number in range(have, total):
            data_key = DataKey(master_key_id=master_id)
            clear = crypto.new_key()
            data_key.wrapped = crypto.wrap(master, clear, data_key_id=data_key.id)
            _remember(data_key.id, clear)
            keys.append(data_key)
            rows.append(
                Shelter(
                    data_key=data_key,
                    code_name=f"Bench house {number:04d}",
                    city=f"Fictional city {number % 12}",
                    capacity=rng.randint(4, 12),
                    monthly_cost_eur=rng.randint(400, 2500),
                    address=f"Fictional address {number}",
                    contact="Fictional keeper",
                )
            )
        DataKey.objects.bulk_create(keys)
        bulk_create_with_history(rows, Shelter, batch_size=BATCH)
        houses = list(Shelter.objects.filter(pk__gt=0).order_by("pk")[have:])
        placed = set(Placement.objects.values_list("case_id", flat=True))
        free_cases = (
            case_id for case_id in Case.objects.order_by("pk").values_list("pk", flat=True) if case_id not in placed
        )
        stays = []
        for house in houses:
            # Over for a while: two earlier stays per bed that ended before tonight's began.
            for _bed in range(house.capacity):
                for weeks in (20, 12):
                    case_id = next(free_cases, None)
                    if case_id is None:
                        break
                    starts_on = today - datetime.timedelta(weeks=weeks)
                    stays.append(
                        Placement(
                            case_id=case_id,
                            shelter=house,
                            starts_on=starts_on,
                            ends_on=starts_on + datetime.timedelta(weeks=6),
                        )
                    )
            for bed in range(rng.randint(house.capacity // 2, house.capacity)):
                case_id = next(free_cases, None)
                if case_id is None:
                    break
                leaves = None if bed % 3 else today + datetime.timedelta(days=rng.randint(1, 40))
                stays.append(
                    Placement(
                        case_id=case_id,
                        shelter=house,
                        starts_on=today - datetime.timedelta(days=rng.randint(0, 40)),
                        ends_on=leaves,
                    )
                )
        bulk_create_with_history(stays, Placement, batch_size=BATCH)
    out(f"seeded {total - have} safe houses and {len(stays)} stays")
