"""Fast seeding of fictional data for the benchmarks: bulk inserts, with real encryption."""

from __future__ import annotations

import datetime
import io
import random
import time

from django.contrib.auth.models import Group, Permission
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, CaseUserObjectPermission
from vault import crypto
from vault.fields import Sealed, SealedField
from vault.keys import _remember, key_scope, newest_master_key
from vault.models import DataKey

BATCH = 2000


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    adapted = getattr(value, "adapted", value)  # psycopg2's Binary wraps the bytes of a BinaryField
    if isinstance(adapted, bytes | bytearray | memoryview):
        return "\\\\x" + bytes(adapted).hex()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(model: type[models.Model], objs: list[models.Model]) -> None:
    """Inserts `objs` with PostgreSQL's COPY: what bulk_create does, without Django compiling SQL per value,
    which dominates at a million rows. Each value goes through its field's pre_save and get_db_prep_save, so
    sealed fields are sealed exactly as on save; the sealed bytes are kept on the object (as if loaded), so
    its history row copies the same ciphertext. Primary keys are drawn from the table's sequence first."""
    meta = model._meta
    auto = meta.auto_field
    if auto is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, auto.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                setattr(obj, auto.attname, pk)
    fields = meta.concrete_fields
    buffer = io.StringIO()
    for obj in objs:
        values = []
        for field in fields:
            value = field.pre_save(obj, add=True)
            if isinstance(field, SealedField) and value is not None:
                obj.__dict__[field.attname] = Sealed(bytes(value))
            values.append(_copy_value(field.get_db_prep_save(value, connection)))
        buffer.write("\t".join(values) + "\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN", buffer)


def copy_with_history(model: type[models.Model], objs: list[models.Model]) -> None:
    """copy_rows, plus the "created" history row of each, as bulk_create_with_history would write it."""
    copy_rows(model, objs)
    history_model = model.history.model
    now = timezone.now()
    copy_rows(
        history_model,
        [
            history_model(
                history_date=now,
                history_type="+",
                **{field.attname: obj.__dict__.get(field.attname) for field in history_model.tracked_fields},
            )
            for obj in objs
        ],
    )


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
                copy_rows(DataKey, keys)
                for row in rows:
                    row._refresh_blind_indexes()
                copy_with_history(Case, rows)
                grants = []
                for position, case in enumerate(rows):
                    owner = caseworkers[(number + position) % len(caseworkers)]
                    grants += [
                        CaseUserObjectPermission(content_object=case, user=owner, permission=view),
                        CaseUserObjectPermission(content_object=case, user=owner, permission=change),
                    ]
                copy_rows(CaseUserObjectPermission, grants)
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


# Where a seeded case stands: how many stages of its pipeline are done (8: resettled). Weighted so that
# most cases are under way, some are new and about one in ten has been resettled (the runway needs those).
PROGRESS_WEIGHTS = (8, 10, 10, 12, 14, 14, 12, 8, 12)
RATES = {"EUR": "1", "USD": "0.92", "RUB": "0.0102", "GEL": "0.34", "TRY": "0.027", "ARS": "0.00098"}


def stages(*, out=print) -> None:
    """The eight stage rows of every seeded case that has none yet, progressed realistically, with history."""
    from django.db.models import Exists, OuterRef

    from cases.models import STAGE_POSITION, Stage, StageKind

    today = datetime.date.today()
    missing = Case.objects.filter(~Exists(Stage.objects.filter(case=OuterRef("pk")))).order_by("pk")
    total = missing.count()
    if not total:
        out("every case has its stages")
        return
    rng = random.Random(total)
    started = time.perf_counter()
    done = 0
    kinds = StageKind.values
    with key_scope():
        while True:
            batch = list(missing.values_list("pk", "data_key_id", "intake_date")[: BATCH // 2])
            if not batch:
                break
            rows = []
            for case_id, key_id, intake in batch:
                progress = rng.choices(range(9), weights=PROGRESS_WEIGHTS)[0]
                for index, kind in enumerate(kinds):
                    row = Stage(case_id=case_id, data_key_id=key_id, kind=kind, position=STAGE_POSITION[kind])
                    if index < progress:
                        row.status = Stage.Status.DONE
                        row.started_on = intake + datetime.timedelta(days=7 * index)
                        row.ended_on = row.started_on + datetime.timedelta(days=rng.randint(3, 40))
                    elif index == progress:
                        row.status = rng.choice([Stage.Status.IN_PROGRESS] * 4 + [Stage.Status.BLOCKED])
                        if row.status == Stage.Status.BLOCKED:
                            row.blocked_reason = rng.choice(Stage.BlockedReason.values)
                        row.started_on = intake + datetime.timedelta(days=7 * index)
                        row.due_on = today + datetime.timedelta(days=rng.randint(-20, 60))
                    rows.append(row)
            with transaction.atomic():
                copy_with_history(Stage, rows)
            done += len(batch)
            out(f"\rstages of {done}/{total} cases ({done / (time.perf_counter() - started):.0f} cases/s)", end="")
    out("")


def expenses(total: int, *, out=print) -> None:
    """Expenses up to `total`, about ten per case, in several currencies, each with a sealed description."""
    from decimal import Decimal

    from cases.models import ExchangeRate, Expense, Fund, Stage
    from cases.money import to_eur

    have = Expense.objects.count()
    if have >= total:
        out(f"{have} expenses already seeded")
        return
    rng = random.Random(have)
    rates = {currency: Decimal(rate) for currency, rate in RATES.items()}
    today = datetime.date.today()
    if not ExchangeRate.objects.exists():
        ExchangeRate.objects.bulk_create(
            ExchangeRate(currency=currency, on_date=today.replace(day=1), rate_to_eur=rate)
            for currency, rate in rates.items()
            if currency != "EUR"
        )
    funds_eur = Decimal(total) * Decimal("450")  # a little more than what is spent: there is a balance
    if not Fund.objects.exists():
        funds = [
            Fund(
                source=f"Bench appeal {number}",
                amount=funds_eur / 40,
                currency="EUR",
                rate_to_eur=Decimal(1),
                amount_eur=(funds_eur / 40).quantize(Decimal("0.01")),
                received_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=15 * number),
                restricted=number % 5 == 0,
            )
            for number in range(40)
        ]
        bulk_create_with_history(funds, Fund)
    cases_total = Case.objects.count()
    per_case = max(1, -(-total // cases_total))
    # Cases from where the previous run stopped: those without expenses yet, in pk order.
    pending = Case.objects.filter(pk__gt=Expense.objects.order_by("-case_id").values("case_id")[:1]).order_by("pk")
    if not have:
        pending = Case.objects.order_by("pk")
    started = time.perf_counter()
    number = have
    with key_scope():
        while number < total:
            batch = list(pending.values_list("pk", "data_key_id", "intake_date")[: BATCH // per_case])
            if not batch:
                break
            stage_ids: dict[int, list[int]] = {}
            for case_id, stage_id in Stage.objects.filter(case_id__in=[row[0] for row in batch]).values_list(
                "case_id", "pk"
            ):
                stage_ids.setdefault(case_id, []).append(stage_id)
            rows = []
            for case_id, key_id, intake in batch:
                for _expense in range(per_case):
                    if number + len(rows) >= total:
                        break
                    currency = rng.choice(list(rates))
                    rate = rates[currency]
                    amount = (Decimal(rng.randint(500, 40000)) / 100 / rate).quantize(Decimal("0.01"))
                    spent_on = min(today, intake + datetime.timedelta(days=rng.randint(0, 300)))
                    rows.append(
                        Expense(
                            case_id=case_id,
                            data_key_id=key_id,
                            stage_id=rng.choice(stage_ids[case_id]),
                            amount=amount,
                            currency=currency,
                            rate_to_eur=rate,
                            amount_eur=to_eur(amount, rate),
                            spent_on=spent_on,
                            description=f"Fictional benchmark expense {number + len(rows)}",
                            state=Expense.State.PAID if rng.random() < 0.85 else Expense.State.COMMITTED,
                        )
                    )
            with transaction.atomic():
                copy_with_history(Expense, rows)
            number += len(rows)
            pending = Case.objects.filter(pk__gt=batch[-1][0]).order_by("pk")
            rate_now = (number - have) / (time.perf_counter() - started)
            out(f"\rseeded {number}/{total} expenses ({rate_now:.0f}/s)", end="", flush=True)
    out("")
