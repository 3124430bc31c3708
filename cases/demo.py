"""Fictional demo cases for a development run (seed_demo). Every name here is invented."""

from __future__ import annotations

import datetime
import random

from accounts.models import User
from cases.models import Case
from cases.services import _create, _grant

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
