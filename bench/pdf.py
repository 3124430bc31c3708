"""How long the asylum summary PDF takes to make, printed as figures (not a test).

    .venv/bin/python bench/pdf.py [--repeat 20] [--batch 100]

Uses the benchmark database (bench/run.py: DATABASE_URL, default the local
PostgreSQL `passage_bench`, created if missing). Seeds, once, fictional cases
shared with a bench lawyer: a typical case has a two-page narrative in
Russian, its stages under way, three travel papers and six exhibits (four
two-page PDFs, two phone-sized photos). Then times, in-process:

- the summary of a typical case, without and with the annex (median of --repeat);
- a batch export of --batch summaries, as the worker runs it (one run).

DESIGN.md section 7 asks for a summary under 1 s and a batch of 100 under 1 min.
"""

from __future__ import annotations

import argparse
import datetime
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import ensure_database, ensure_key_file  # noqa: E402 - sets the settings module first

PREFIX = "pdfbench"
NARRATIVE = (
    "Вымышленная история для замера. В марте задержан на блокпосту после проверки телефона; три дня держали "
    "в подвале, требовали назвать знакомых. После освобождения родственники угрожали расправой «за честь семьи». "
    "Уволен с работы; полиция отказалась принять заявление. Уехал из дома в ту же ночь. "
) * 12


def exhibit_pdf(number: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"bench exhibit {number}"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def exhibit_photo(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (200 - seed * 20, 180, 160))
    draw = ImageDraw.Draw(image)
    for step in range(0, 1600, 40):
        draw.line((step, 0, 1600 - step, 1200), fill=(step % 255, 90, 140), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def seed(batch: int):
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role
    from cases.models import TravelPaper
    from cases.services import case_open
    from documents.content import check_upload
    from documents.models import CaseShare
    from documents.services import case_share, document_upload

    caseworker, _ = User.objects.get_or_create(username=f"{PREFIX}-caseworker")
    caseworker.groups.add(Group.objects.get(name=Role.CASEWORKER.value))
    lawyer, _ = User.objects.get_or_create(
        username=f"{PREFIX}-lawyer", defaults={"first_name": "Bench", "last_name": "Lawyer"}
    )
    lawyer.groups.add(Group.objects.get(name=Role.LAWYER.value))
    shared = list(CaseShare.objects.active().filter(lawyer=lawyer).values_list("case_id", flat=True))
    files = [check_upload(exhibit_pdf(number)) for number in range(4)]
    files += [check_upload(exhibit_photo(number)) for number in range(2)]
    while len(shared) < batch:
        case = case_open(
            user=caseworker,
            data={
                "legal_name": "Бенч Вымышленный",
                "chosen_name": "Бенч",
                "date_of_birth": datetime.date(1994, 4, 4),
                "nationality": "Fictionland",
                "narrative": NARRATIVE,
                "intake_date": datetime.date(2026, 1, 15),
                "risk": "high",
            },
        )
        for offset, stage in enumerate(case.stages.order_by("position")[:5]):
            stage.status = "done" if offset < 3 else "in_progress"
            stage.started_on = datetime.date(2026, 1, 16 + offset)
            stage.ended_on = datetime.date(2026, 2, 1 + offset) if offset < 3 else None
            stage.save()
        for kind in ("internal_passport", "international_passport", "visa"):
            TravelPaper(
                case=case,
                data_key_id=case.data_key_id,
                kind=kind,
                status="applied",
                applied_on=datetime.date(2026, 2, 3),
            ).save()
        for number, checked in enumerate(files):
            document_upload(case=case, user=caseworker, checked=checked, kind="persecution", title=f"Exhibit {number}")
        case_share(case=case, lawyer=lawyer, by=caseworker)
        shared.append(case.pk)
    return lawyer, shared[:batch]


def timed(function, repeat: int) -> float:
    function()  # warm up: fonts, templates
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()

    ensure_key_file()
    ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    settings.PASSAGE_EXPORT_RUNNER = "inline"

    from cases.access import get_case_for_user
    from cases.models import Case
    from documents.services import export_run, export_start
    from documents.summary import summary_pdf
    from vault.keys import key_scope

    with key_scope():
        lawyer, case_ids = seed(args.batch)
    reference = Case.objects.get(pk=case_ids[0]).reference

    def one(annex: bool) -> bytes:
        with key_scope():
            access = get_case_for_user(lawyer, reference, read_sealed=True, log=False)
            return summary_pdf(access=access, user=lawyer, lang="ru", annex=annex)

    plain = timed(lambda: one(False), args.repeat)
    annexed = timed(lambda: one(True), max(3, args.repeat // 4))
    pages = len(__import__("pypdf").PdfReader(io.BytesIO(one(False))).pages)

    references = list(Case.objects.filter(pk__in=case_ids).values_list("reference", flat=True))
    started = time.perf_counter()
    job = export_start(user=lawyer, references=references, lang="ru")
    export_run(job_id=job.pk)
    batch_seconds = time.perf_counter() - started
    job.refresh_from_db()

    print(f"\nPassage summary PDF benchmark ({django.db.connection.vendor}, median of {args.repeat})")
    print(f"{'what':58} {'seconds':>9}")
    print(f"{f'summary of a typical case ({pages} pages, PDF/A-3b)':58} {plain:9.3f}")
    print(f"{'the same with the annex (6 exhibits: 4 PDFs, 2 photos)':58} {annexed:9.3f}")
    print(f"{f'batch export of {len(references)} summaries into one sealed ZIP':58} {batch_seconds:9.3f}")
    print(f"  (job {job.status}, {job.done}/{job.total} summaries, {job.size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
