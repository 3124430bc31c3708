"""Fictional demo cases for a development run (seed_demo). Every name here is invented."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from cases.models import Case, CaseUserObjectPermission, ExchangeRate, Expense, Fund, Stage
from cases.money import ExpenseValues, FundValues, NeedsConfirmation, expense_add, fund_add
from cases.services import _create, _grant
from cases.stages import PaperValues, StageChange, paper_add, stage_update

FIRST_NAMES = ["Alik", "Zara", "Timur", "Lana", "Rustam", "Mila", "Ilyas", "Kira", "Dana", "Emil", "Sasha", "Yana"]
# Surnames made from words for "example", "fiction", "sample", "draft": nobody is called this.
SURNAMES = ["Primerov", "Vymyslov", "Obraztsov", "Chernovikov", "Maketov", "Shablonov", "Testov", "Demov"]
CITIES = ["Town A (fictional)", "Village B (fictional)", "City C (fictional)"]
NARRATIVES = [
    "Fictional demo story: detained at a checkpoint after messages were found on the phone; released after "
    "three days; relatives threatened an 'honour' punishment.",
    "Fictional demo story: outed by a colleague, lost work, beaten by strangers; police refused to record it.",
    "Fictional demo story: summoned by security services twice; asked to name others; left home the same night.",
]
DEMO_CASES = 30


def seed_cases(*, users: dict[str, User], stdout) -> None:
    if Case.objects.exists():
        stdout.write("Demo cases exist already.")
        return
    rng = random.Random(2017)  # the same demo data on every machine
    caseworkers = [users["caseworker"], users["caseworker2"]]
    today = datetime.date.today()
    for number in range(DEMO_CASES):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        data = {
            "legal_name": f"{first} {last}",
            "chosen_name": first if number % 3 else "",
            "pronouns": rng.choice(["he/him", "she/her", "they/them"]),
            "date_of_birth": datetime.date(1975 + number % 28, 1 + number % 12, 1 + number % 27),
            "nationality": "Fictionland",
            "phone": f"+7 900 555-{number:02d}-{rng.randint(10, 99)}",
            "messenger": f"@demo_{first.lower()}{number}",
            "current_location": rng.choice(CITIES),
            "narrative": rng.choice(NARRATIVES),
            "medical_notes": "Demo: no known conditions." if number % 2 else "Demo: needs insulin weekly.",
            "psychological_notes": "Demo: sleeps badly, weekly sessions agreed.",
            "do_not_contact": "Demo: the father and the eldest brother.",
            "risk": rng.choice(Case.Risk.values),
            "intake_date": today - datetime.timedelta(days=rng.randint(0, 400)),
            "destination_country": rng.choice(["DE", "CA", "NL", "FR", "AR", "SE", ""]),
            "status": rng.choices(Case.Status.values, weights=[8, 1, 1])[0],
        }
        case = _create(user=None, data=data)
        _grant(case=case, caseworker=caseworkers[number % 2])
    stdout.write(f"Created {DEMO_CASES} fictional demo cases.")


# ---- Stages and money (cases.stages, cases.money) ----------------------------------------------------------

# Rough EUR per unit; the demo table drifts around these. Fictional figures for a demo, not market data.
DEMO_RATES = {
    "RUB": Decimal("0.0105"),
    "GEL": Decimal("0.34"),
    "TRY": Decimal("0.027"),
    "AMD": Decimal("0.0023"),
    "KZT": Decimal("0.0019"),
    "ARS": Decimal("0.00095"),
    "USD": Decimal("0.92"),
    "CAD": Decimal("0.68"),
    "GBP": Decimal("1.17"),
    "SEK": Decimal("0.0875"),
}
# (stage, currency, low, high, what for): amounts in the currency; descriptions are fictional.
DEMO_COSTS = {
    "shelter": [("RUB", 18000, 32000, "Demo: a month of rent, safe flat"), ("GEL", 600, 1100, "Demo: transit room")],
    "food": [("RUB", 6000, 12000, "Demo: groceries for a month")],
    "clothing": [("RUB", 3000, 9000, "Demo: winter coat and shoes")],
    "psychological_support": [("EUR", 45, 70, "Demo: therapy session (online)"), ("GEL", 90, 150, "Demo: session")],
    "travel_documents": [
        ("RUB", 5000, 6000, "Demo: international passport fee"),
        ("EUR", 80, 90, "Demo: visa fee"),
        ("AMD", 15000, 30000, "Demo: certified translations"),
    ],
    "evacuation": [
        ("TRY", 9000, 16000, "Demo: flight via a third country"),
        ("USD", 250, 600, "Demo: flight"),
        ("KZT", 40000, 90000, "Demo: train and bus tickets"),
    ],
    "asylum_application": [("EUR", 300, 900, "Demo: lawyer's fee"), ("CAD", 200, 500, "Demo: filing and translation")],
    "resettled": [("ARS", 250000, 600000, "Demo: first month of rent"), ("EUR", 150, 400, "Demo: first week")],
}


def _seed_rates(*, coordinator: User, today: datetime.date) -> None:
    """Monthly rates for the last fourteen months, saved with history (not logged: the demo's own set-up)."""
    rng = random.Random(42)
    month = datetime.date(today.year - 1, today.month, 1) - datetime.timedelta(days=62)
    while month <= today:
        for currency, base in DEMO_RATES.items():
            drift = Decimal(rng.randint(-60, 60)) / Decimal(1000)  # within 6 percent
            rate = ExchangeRate(currency=currency, on_date=month, created_by=coordinator)
            rate.rate_to_eur = (base * (1 + drift)).quantize(Decimal("0.0000001"))
            rate._history_user = coordinator
            rate.save()
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def _progress_of(age: int) -> dict[str, str]:
    """Where a case of this many days stands: realistic, not random, so the demo tells a story."""
    if age < 14:
        return {"shelter": "in_progress", "food": "in_progress"}
    if age < 60:
        return {
            "shelter": "in_progress",
            "food": "in_progress",
            "clothing": "done",
            "psychological_support": "in_progress",
            "travel_documents": "in_progress",
        }
    if age < 150:
        return {
            "shelter": "in_progress",
            "food": "in_progress",
            "clothing": "done",
            "psychological_support": "in_progress",
            "travel_documents": "blocked",
        }
    if age < 250:
        return {
            "shelter": "in_progress",
            "food": "in_progress",
            "clothing": "done",
            "psychological_support": "in_progress",
            "travel_documents": "done",
            "evacuation": "in_progress",
        }
    return {
        "shelter": "done",
        "food": "done",
        "clothing": "done",
        "psychological_support": "done",
        "travel_documents": "done",
        "evacuation": "done",
        "asylum_application": "done" if age > 330 else "in_progress",
        "resettled": "in_progress" if age > 330 else "not_started",  # skipped: nothing to record yet
    }


def _seed_case_work(case: Case, *, caseworker: User, today: datetime.date, rng: random.Random) -> None:
    age = (today - case.intake_date).days
    progress = _progress_of(age)
    for kind in Stage.Kind.values:  # in pipeline order: no stage is done before the one before it
        status = progress.get(kind, "not_started")
        if status == "not_started":
            continue
        started = case.intake_date + datetime.timedelta(days=min(age, Stage.Kind.values.index(kind) * 20))
        change = StageChange(
            status=status,
            started_on=started,
            ended_on=min(today, started + datetime.timedelta(days=rng.randint(10, 60))) if status == "done" else None,
            blocked_reason=rng.choice(["waiting_embassy", "waiting_documents"]) if status == "blocked" else "",
            due_on=today + datetime.timedelta(days=rng.randint(-20, 40)) if kind == "travel_documents" else None,
            notes="Demo: progress noted at the weekly call.",
        )
        if change.ended_on is not None and change.ended_on < change.started_on:
            change.ended_on = change.started_on
        stage_update(case=case, kind=kind, user=caseworker, expected_version=1, change=change)
        for _number in [day for day in range(3) if rng.random() < 0.8]:
            currency, low, high, what = rng.choice(DEMO_COSTS[kind])
            day = started + datetime.timedelta(days=rng.randint(0, 40))
            state = Expense.State.PAID if day <= today else Expense.State.COMMITTED
            values = ExpenseValues(
                stage=kind,
                amount=Decimal(rng.randint(low * 100, high * 100)) / 100,
                currency=currency,
                spent_on=day,
                state=state,
                rate_to_eur=None,  # the coordinators' table for that date
                description=what,
            )
            try:
                expense_add(case=case, user=caseworker, values=values)
            except NeedsConfirmation as question:  # the demo shows some cases over budget, confirmed
                expense_add(case=case, user=caseworker, values=values, confirmed_eur=question.amount_eur)
    if age >= 14:
        paper_add(
            case=case,
            user=caseworker,
            values=PaperValues(kind="internal_passport", status="obtained", notes="Demo: kept by the person."),
        )
    if age >= 30:
        obtained = age >= 150
        paper_add(
            case=case,
            user=caseworker,
            values=PaperValues(
                kind="international_passport",
                status="obtained" if obtained else "applied",
                applied_on=case.intake_date + datetime.timedelta(days=20),
                obtained_on=case.intake_date + datetime.timedelta(days=100) if obtained else None,
                expires_on=today + datetime.timedelta(days=rng.choice([25, 50, 400, 1800])) if obtained else None,
            ),
        )
    if 60 <= age < 250:
        paper_add(case=case, user=caseworker, values=PaperValues(kind="visa", status="applied", applied_on=today))


def seed_money(*, users: dict[str, User], stdout) -> None:
    """Rates, funds, and realistic stages, papers and expenses (several currencies) for the demo cases."""
    if ExchangeRate.objects.exists() or Expense.objects.exists():
        stdout.write("Demo stages and money exist already.")
        return
    coordinator = users["coordinator"]
    today = timezone.localdate()
    _seed_rates(coordinator=coordinator, today=today)
    for source, amount, currency, days_ago, restricted in [
        ("Spring appeal (fictional)", "38000", "EUR", 300, False),
        ("Grant: Fictional Foundation for Safety", "50000", "USD", 200, False),
        ("Monthly supporters (fictional)", "9500", "GBP", 40, False),
        ("Medical fund (fictional), for medical costs only", "120000", "SEK", 90, True),
    ]:
        fund_add(
            user=coordinator,
            values=FundValues(
                source=source,
                amount=Decimal(amount),
                currency=currency,
                received_on=today - datetime.timedelta(days=days_ago),
                restricted=restricted,
            ),
        )
    rng = random.Random(2022)
    grants = CaseUserObjectPermission.objects.filter(permission__codename="change_case").select_related("user")
    owners = {grant.content_object_id: grant.user for grant in grants}
    for case in Case.objects.filter(erased_at__isnull=True).order_by("pk"):
        caseworker = owners.get(case.pk) or users["caseworker"]
        _seed_case_work(case, caseworker=caseworker, today=today, rng=rng)
    stdout.write(
        f"Gave the demo cases stages, travel papers and {Expense.objects.count()} expenses in "
        f"{Expense.objects.values('currency').distinct().count()} currencies; "
        f"{ExchangeRate.objects.count()} rates and {Fund.objects.count()} funds."
    )
