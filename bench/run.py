"""Benchmarks of Passage on PostgreSQL, printed as figures (not a test).

    .venv/bin/python bench/run.py [--cases 100000] [--expenses 1000000] [--shelters 300]

Seeds fictional data into the database named by DATABASE_URL (default: a
`passage_bench` database on the local PostgreSQL; created if missing): cases
with their eight stages, expenses in several currencies, funds, rates, safe
houses and stays, all with real encryption and history. Seeding resumes where
it stopped and is skipped once done. Then times, in one run and in-process
through Django's test client, the case list, case page, dashboard and summary
PDF against a bare authenticated page, and prints the ratios as a Markdown
table (what README.md's "Performance" shows).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("PASSAGE_MASTER_KEY_FILE", str(ROOT / "var" / "bench-master.key"))


def ensure_key_file() -> None:
    import base64

    path = Path(os.environ["PASSAGE_MASTER_KEY_FILE"])
    if not os.environ.get("PASSAGE_MASTER_KEYS") and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")


def ensure_database() -> None:
    import psycopg2

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/passage_bench")
    name = url.rsplit("/", 1)[-1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


class Timer:
    """Medians of repeated requests through one signed-in client."""

    def __init__(self, client, repeat: int) -> None:
        self.client = client
        self.repeat = repeat

    def __call__(self, url: str) -> float:
        for _ in range(3):  # warm up
            assert self.client.get(url).status_code == 200, url
        samples = []
        for _ in range(self.repeat):
            started = time.perf_counter()
            response = self.client.get(url)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, url
        return statistics.median(samples)


def signed_in_client(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def decryption_share(client, url: str, repeat: int) -> tuple[float, float]:
    """Time spent unwrapping keys and opening values, against the whole page, on one request each."""
    from vault import crypto, keys

    spent = [0.0]
    originals = (crypto.open_sealed, keys._unwrap)

    def timed(function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return wrapper

    import vault.fields

    vault.fields.crypto.open_sealed = timed(originals[0])
    keys._unwrap = timed(originals[1])
    try:
        totals, decrypting = [], []
        for _ in range(repeat):
            spent[0] = 0.0
            started = time.perf_counter()
            client.get(url)
            totals.append(time.perf_counter() - started)
            decrypting.append(spent[0])
    finally:
        vault.fields.crypto.open_sealed = originals[0]
        keys._unwrap = originals[1]
    return statistics.median(decrypting), statistics.median(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--caseworker-cases", type=int, default=50, help="cases of the caseworker whose list is timed")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--shelters", type=int, default=300, help="safe houses, with stays for some of the cases")
    parser.add_argument("--expenses", type=int, default=1_000_000)
    args = parser.parse_args()

    ensure_key_file()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)

    from bench import seed
    from cases.models import Case, Expense
    from shelters.models import Placement, Shelter

    caseworker_count = max(1, args.cases // args.caseworker_cases)
    people = seed.users(caseworker_count)
    seed.cases(args.cases, people["caseworker"])
    seed.stages()
    seed.expenses(args.expenses)
    seed.shelters(args.shelters)
    with django.db.connection.cursor() as cursor:  # as autovacuum would have: statistics and visibility maps
        cursor.execute("VACUUM ANALYZE")

    caseworker = people["caseworker"][0]
    client = signed_in_client(caseworker)
    timer = Timer(client, args.repeat)
    mine = Case.objects.filter(user_grants__user=caseworker, user_grants__permission__codename="change_case")
    reference = mine.values_list("reference", flat=True).first()
    own = mine.count()

    bare = timer("/bench/bare/")
    rows = [("bare authenticated page", bare)]
    rows.append((f"case list ({min(own, 50)} of the caseworker's {own} cases shown)", timer("/cases/")))
    expenses_shown = Expense.objects.filter(case__reference=reference).count()
    rows.append((f"case page (8 stages, {expenses_shown} expenses)", timer(f"/cases/{reference}/")))
    pdf_timer = Timer(client, max(5, args.repeat // 3))
    rows.append(("summary PDF (Russian, no annex)", pdf_timer(f"/cases/{reference}/summary.pdf?lang=ru")))
    coordinator = Timer(signed_in_client(people["coordinator"][0]), args.repeat)
    rows.append(("case list, coordinator (50 of all cases)", coordinator("/cases/")))
    rows.append((f"dashboard, coordinator ({args.shelters} safe houses)", coordinator("/dashboard/")))
    rows.append(("dashboard, every figure recomputed (?fresh=1)", coordinator("/dashboard/?fresh=1")))

    print(
        f"\nPassage benchmark on {django.db.connection.vendor}: {Case.objects.count()} cases, "
        f"{Expense.objects.count()} expenses, {Shelter.objects.count()} safe houses, "
        f"{Placement.objects.count()} stays; medians of {args.repeat} requests\n"
    )
    print(f"| {'page':58} | {'median ms':>10} | {'x bare':>8} |")
    print(f"| {'-' * 58} | {'-' * 9}: | {'-' * 7}: |")
    for label, seconds in rows:
        print(f"| {label:58} | {seconds * 1000:10.2f} | {seconds / bare:8.2f} |")
    decrypting, total = decryption_share(client, "/cases/", args.repeat)
    print(
        f"\ndecrypting a page of {min(own, 50)} cases: {decrypting * 1000:.2f} ms of {total * 1000:.2f} ms "
        f"({decrypting / total:.1%} of the page)"
    )


if __name__ == "__main__":
    main()
