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
was; the access log keeps the SHA-256 of every export. In the annex, each
exhibit starts on a new page under its heading, and every page showing an
exhibit says which in its header ("Exhibit N, page k of m"). Nothing is ever
cut off: long words wrap, tables have fixed column widths, and the watermark
wraps inside the page (templates/documents/pdf/base.html and summary.html).
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
from pypdf.generic import DecodedStreamObject

from accounts.models import User
from cases.access import CaseAccess
from cases.models import Case
from documents.models import Document
from documents.pdf import DEFAULT_VARIANT, render_document

TEMPLATE = "documents/summary.html"
MM = 72 / 25.4  # PDF points per millimetre
PX = 0.75  # PDF points per CSS pixel (WeasyPrint's anchor positions are in CSS pixels)
# Where an exhibit's page is drawn on an A4 page of documents/pdf/base.html: inside the side and bottom
# margins, from its marker (.exhibit-page in the template) down, and never into the top margin, which holds
# the running header "Exhibit N, page k of m".
EXHIBIT_AREA = {"left": 18 * MM, "right": 18 * MM, "top": 22 * MM, "bottom": 26 * MM}
EXHIBIT_GAP = 2 * MM  # between the marker and the exhibit page drawn under it


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


def may_export_summary(access: CaseAccess) -> bool:
    """Whether this reader may have the summary: the case's caseworkers and the lawyers it is shared with.

    Not a coordinator, even one who broke the glass: break-glass opens the
    case to be read in an emergency, not to take a copy of the person's file
    out of Passage (DESIGN.md section 6).
    """
    return access.can_read_sealed and not access.break_glass


def summary_context(*, access: CaseAccess, user: User, annex: bool = False) -> dict:
    """Everything the summary template shows; the person's data is opened here, for this one render."""
    case = access.case
    if not may_export_summary(access):
        raise SummaryError(_("The summary is for the case's caseworkers and the lawyers it is shared with."))
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
    sources = {
        anchor: exhibit.reader.pages[index]
        for exhibit in context["exhibits"]
        if exhibit.reader is not None
        for index, anchor in enumerate(exhibit.page_anchors)
    }
    placed: dict[int, tuple[PageObject, float]] = {}
    for number, page in enumerate(document.pages):
        for anchor, position in page.anchors.items():
            if anchor in sources:
                # The marker's top, in points from the top of the page: the exhibit page is drawn below it, so
                # an exhibit's first page shares its page with the exhibit's heading instead of following it.
                placed[number] = (sources[anchor], position[1] * PX)
    return _merge_exhibit_pages(document.write_pdf(), placed, title=access.case.reference)


def _merge_exhibit_pages(pdf: bytes, placed: dict[int, tuple[PageObject, float]], *, title: str) -> bytes:
    """Draws each exhibit page, scaled to fit below its marker, under the header, footer and watermark of its page."""
    rendered = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    scratch = PdfWriter()  # exhibit pages are attached here first: pypdf transforms only attached pages
    for number, page in enumerate(rendered.pages):
        if number not in placed:
            writer.add_page(page)
            continue
        source, marker_top = placed[number]
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        exhibit = scratch.add_page(source)
        if exhibit.rotation:
            exhibit.transfer_rotation_to_content()
        box = exhibit.cropbox
        top = max(EXHIBIT_AREA["top"], marker_top + EXHIBIT_GAP)
        area_width = width - EXHIBIT_AREA["left"] - EXHIBIT_AREA["right"]
        area_height = height - top - EXHIBIT_AREA["bottom"]
        scale = min(area_width / float(box.width), area_height / float(box.height))
        drawn_width, drawn_height = float(box.width) * scale, float(box.height) * scale
        left = EXHIBIT_AREA["left"] + (area_width - drawn_width) / 2
        bottom = height - top - drawn_height  # top-aligned under the marker
        sheet = writer.add_blank_page(width=width, height=height)
        sheet.merge_transformed_page(
            exhibit,
            Transformation().scale(scale).translate(left - float(box.left) * scale, bottom - float(box.bottom) * scale),
        )
        sheet.merge_page(_frame(scratch, width=width, height=height, box=(left, bottom, drawn_width, drawn_height)))
        sheet.merge_page(page)  # the header, footer and watermark over the exhibit
    writer.add_metadata({"/Title": title})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _frame(scratch: PdfWriter, *, width: float, height: float, box: tuple[float, float, float, float]) -> PageObject:
    """A page with a thin grey frame at `box` (x, y, width, height) and nothing else: the edge of an exhibit page."""
    page = scratch.add_blank_page(width=width, height=height)
    stream = DecodedStreamObject()
    stream.set_data(("q 0.6 G 0.5 w " + " ".join(f"{value:.2f}" for value in box) + " re S Q").encode("ascii"))
    page.replace_contents(stream)
    return page
