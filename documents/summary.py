"""The asylum summary of a case: a PDF made on demand, in memory, for the person's lawyer. Never stored.

What it holds: a cover (reference, purpose, date, who made it and for whom),
personal details, the persecution narrative, a chronology of events and
support, the travel papers, and the index of evidence numbered as exhibits;
optionally an annex with the exhibits themselves. What it leaves out on
purpose: costs (not the asylum authority's business), and everything that
would endanger the person if the file leaked on its way — where they are now
(often a safe house), phone and messenger, the people who must not be told,
and the caseworkers' medical and psychological notes (reports the person
agreed to file are exhibits).

Every page carries the confidentiality footer, "page X of Y", and the name of
the person it was made for across the page, so a leaked copy says whose it
was; the access log keeps the SHA-256 of every export.
"""

from __future__ import annotations

import base64
import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from accounts.models import User
from cases.access import CaseAccess
from cases.models import Case
from documents.models import Document
from documents.pdf import DEFAULT_VARIANT, render_document

TEMPLATE = "documents/summary.html"
MM = 72 / 25.4  # PDF points per millimetre
# The area of an A4 page inside the margins of documents/pdf/base.html, where an exhibit's page is drawn.
EXHIBIT_AREA = {"left": 18 * MM, "right": 18 * MM, "top": 28 * MM, "bottom": 24 * MM}


class SummaryError(Exception):
    """The summary cannot be made as asked; the message is for the user."""


@dataclass
class Exhibit:
    document: Document
    data_uri: str = ""
    reader: PdfReader | None = None
    page_anchors: list[str] = field(default_factory=list)


def person_label(user: User) -> str:
    """How a summary names a staff member: full name and username, or the username alone."""
    full = user.get_full_name().strip()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def _chronology(case: Case, stages: list, papers: list) -> list[tuple[datetime.date, str]]:
    events = [(case.intake_date, _("Case opened by the organisation (intake)"))]
    for stage in stages:
        label = stage.get_kind_display()
        if stage.started_on:
            events.append((stage.started_on, _("%(stage)s: started") % {"stage": label}))
        if stage.ended_on:
            events.append((stage.ended_on, _("%(stage)s: ended") % {"stage": label}))
    for paper in papers:
        label = paper.get_kind_display()
        if paper.applied_on:
            events.append((paper.applied_on, _("%(paper)s: applied for") % {"paper": label}))
        if paper.obtained_on:
            events.append((paper.obtained_on, _("%(paper)s: obtained") % {"paper": label}))
    return sorted(events, key=lambda event: event[0])


def summary_context(*, access: CaseAccess, user: User, annex: bool = False) -> dict:
    """Everything the summary template shows; the person's data is opened here, for this one render."""
    case = access.case
    if not access.can_read_sealed:
        raise SummaryError("The summary needs the right to read the person's data.")
    stages = [stage for stage in case.stages.order_by("position") if stage.status != stage.Status.NOT_NEEDED]
    papers = list(case.travel_papers.order_by("pk"))
    documents = list(case.documents.current().order_by("number"))
    now = timezone.localtime()
    recipient = person_label(user)
    return {
        "case": case,
        "generated_at": now,
        "generated_by": recipient,
        "recipient": recipient,
        "is_lawyer": user.is_lawyer,
        "watermark": _("Prepared for %(name)s on %(date)s") % {"name": recipient, "date": f"{now:%Y-%m-%d}"},
        "chronology": _chronology(case, stages, papers),
        "stages": stages,
        "papers": papers,
        "documents": documents,
        "exhibits": _load_exhibits(documents) if annex else [],
        "annex": annex,
    }


def _load_exhibits(documents: list[Document]) -> list[Exhibit]:
    from documents.services import document_content

    limit = settings.PASSAGE_SUMMARY_ANNEX_MAX_BYTES
    if sum(document.size for document in documents) > limit:
        raise SummaryError(
            _(
                "The documents of this case are too large for one PDF (over %(limit)s). "
                "Export the summary without the annex and download the documents one by one."
            )
            % {"limit": filesizeformat(limit)}
        )
    exhibits = []
    for document in documents:
        content = document_content(document=document)
        exhibit = Exhibit(document=document)
        if document.is_image:
            exhibit.data_uri = f"data:{document.content_type};base64,{base64.b64encode(content).decode('ascii')}"
        else:
            exhibit.reader = PdfReader(io.BytesIO(content))
            count = len(exhibit.reader.pages)
            exhibit.page_anchors = [f"exhibit-{document.number}-page-{page}" for page in range(1, count + 1)]
        exhibits.append(exhibit)
    return exhibits


def summary_pdf(*, access: CaseAccess, user: User, lang: str, annex: bool = False) -> bytes:
    """The summary's PDF bytes, made in memory for `user` (whose name is the watermark).

    PDF/A-3b without the annex; with it, a plain PDF, because the exhibits are
    other people's PDFs that Passage cannot vouch for.
    """
    with override(lang):  # the chronology and the watermark are worded in the summary's language too
        context = summary_context(access=access, user=user, annex=annex)
        document = render_document(TEMPLATE, context, title=access.case.reference, lang=lang)
    if not annex or not any(exhibit.reader for exhibit in context["exhibits"]):
        return document.write_pdf(pdf_variant=None if annex else DEFAULT_VARIANT)
    placed: dict[int, PageObject] = {}
    sources = {
        anchor: exhibit.reader.pages[index]
        for exhibit in context["exhibits"]
        if exhibit.reader is not None
        for index, anchor in enumerate(exhibit.page_anchors)
    }
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor in sources:
                placed[number] = sources[anchor]
    return _merge_exhibit_pages(document.write_pdf(), placed, title=access.case.reference)


def _merge_exhibit_pages(pdf: bytes, placed: dict[int, PageObject], *, title: str) -> bytes:
    """Draws each exhibit page, scaled to fit, under the footer and watermark of the page reserved for it."""
    rendered = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    scratch = PdfWriter()  # exhibit pages are attached here first: pypdf transforms only attached pages
    for number, page in enumerate(rendered.pages):
        source = placed.get(number)
        if source is None:
            writer.add_page(page)
            continue
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        exhibit = scratch.add_page(source)
        if exhibit.rotation:
            exhibit.transfer_rotation_to_content()
        box = exhibit.cropbox
        area_width = width - EXHIBIT_AREA["left"] - EXHIBIT_AREA["right"]
        area_height = height - EXHIBIT_AREA["top"] - EXHIBIT_AREA["bottom"]
        scale = min(area_width / float(box.width), area_height / float(box.height))
        x = EXHIBIT_AREA["left"] + (area_width - float(box.width) * scale) / 2 - float(box.left) * scale
        y = EXHIBIT_AREA["bottom"] + (area_height - float(box.height) * scale) / 2 - float(box.bottom) * scale
        sheet = writer.add_blank_page(width=width, height=height)
        sheet.merge_transformed_page(exhibit, Transformation().scale(scale).translate(x, y))
        sheet.merge_page(page)  # the footer and the watermark over the exhibit
    writer.add_metadata({"/Title": title})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
