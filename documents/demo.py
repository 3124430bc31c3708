"""Fictional demo documents and shares for a development run (seed_demo). Everything here is invented."""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from cases.models import Case
from documents.content import check_upload
from documents.models import CaseShare
from documents.pdf import render_pdf
from documents.services import case_share, document_upload

SHARED_CASES = 3


def _demo_report() -> bytes:
    return render_pdf("documents/pdf/demo_report.html", {}, title="Demo report", lang="en")


def _demo_photo() -> bytes:
    image = Image.new("RGB", (640, 420), (236, 240, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 380), outline=(45, 58, 140), width=6)
    draw.ellipse((230, 120, 410, 300), fill=(161, 22, 27))
    draw.text((60, 60), "DEMO PHOTO - fictional evidence, nobody real", fill=(29, 31, 36))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def seed_documents(*, users: dict[str, User], stdout) -> None:
    lawyer, caseworker = users["lawyer"], users["caseworker"]
    if CaseShare.objects.filter(lawyer=lawyer).exists():
        stdout.write("Demo shares exist already.")
        return
    cases = list(
        Case.objects.filter(
            user_grants__user=caseworker, user_grants__permission__codename="change_case", erased_at__isnull=True
        ).order_by("reference")[:SHARED_CASES]
    )
    if not cases:
        stdout.write("No demo cases to share.")
        return
    for number, case in enumerate(cases):
        until = timezone.localdate() + datetime.timedelta(days=90) if number == 0 else None
        case_share(case=case, lawyer=lawyer, by=caseworker, until=until)
    first = cases[0]
    document_upload(
        case=first,
        user=caseworker,
        checked=check_upload(_demo_report()),
        kind="medical",
        title="Demo medical report (fictional)",
        description="Made up for the demo: no real person, clinic or doctor.",
    )
    document_upload(
        case=first,
        user=caseworker,
        checked=check_upload(_demo_photo()),
        kind="persecution",
        title="Demo photo of evidence (fictional)",
    )
    stdout.write(f"Shared {len(cases)} demo cases with the demo lawyer; added 2 fictional documents to {first}.")
