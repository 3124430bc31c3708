"""The asylum summary PDF: its sections in both languages, fonts, metadata, watermark, annex, log and personas."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from audit.models import AccessEvent
from cases.models import TravelPaper
from tests.conftest import SEALED_VALUES
from tests.documents.conftest import jpeg_with_gps, pdf_bytes
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

CYRILLIC_NARRATIVE = "Задержан на блокпосту Ворбл в 2025 году; родственники угрожали расправой. Вымышленная история."


def url(case, query: str = "") -> str:
    return f"/cases/{case.reference}/summary.pdf{query}"


def read(response) -> PdfReader:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def full_case(open_case, caseworker, lawyer, share, upload):
    """A shared case with a Cyrillic narrative, stages under way, a travel paper and two exhibits."""
    case = open_case(caseworker, narrative=CYRILLIC_NARRATIVE)
    with key_scope():
        stage = case.stages.get(kind="shelter")
        stage.status = "in_progress"
        stage.started_on = datetime.date(2026, 3, 2)
        stage.save()
        TravelPaper(
            case=case,
            data_key_id=case.data_key_id,
            kind="international_passport",
            status="applied",
            applied_on=datetime.date(2026, 3, 10),
        ).save()
    share(case, lawyer, by=caseworker)
    upload(case, caseworker, pdf_bytes(pages=2, text="Fictional police summons"), title="Police summons, 2025")
    upload(case, caseworker, jpeg_with_gps(), title="Bruises, photo", kind="photo")
    return case


def sections(lang: str) -> list[str]:
    with translation.override(lang):
        return [
            translation.gettext(text)
            for text in (
                "Confidential: prepared for an asylum application",
                "Personal details",
                "Persecution narrative",
                "Chronology",
                "Travel papers",
                "Evidence index",
            )
        ]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_summary_holds_every_section_and_the_cyrillic_narrative(client_for, lawyer, full_case, lang):
    reader = read(client_for(lawyer).get(url(full_case, f"?lang={lang}")))
    text = text_of(reader)
    flat = " ".join(text.split())
    for heading in sections(lang):
        assert heading in flat, heading
    assert full_case.reference in text
    assert " ".join(CYRILLIC_NARRATIVE.split()) in flat
    assert SEALED_VALUES["legal_name"] in text
    assert "2026-03-02" in text and "2026-03-10" in text  # the chronology: a stage started, a paper applied for
    assert "Police summons, 2025" in flat and "Bruises, photo" in flat  # the evidence index
    with translation.override(lang):  # the chronology and the watermark speak the summary's language
        assert translation.gettext("Case opened by the organisation (intake)") in flat
        assert translation.gettext("Prepared for %(name)s on %(date)s").split(" %(name)s")[0] in flat


def test_every_page_has_the_footer_page_x_of_y_and_the_lawyers_name(client_for, lawyer, full_case):
    lawyer.first_name, lawyer.last_name = "Lev", "Fictionallawyer"
    lawyer.save()
    reader = read(client_for(lawyer).get(url(full_case, "?lang=en")))
    total = len(reader.pages)
    assert total >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert "Confidential. Contains personal data" in text
        assert f"Page {number} of {total}" in text
        # The watermark wraps across lines (and pypdf may join turned lines without a space): compare it unspaced.
        assert "PreparedforLevFictionallawyer(lawyer_shared)" in "".join(text.split())


def test_a_caseworkers_export_carries_the_caseworkers_name(client_for, caseworker, full_case):
    text = text_of(read(client_for(caseworker).get(url(full_case, "?lang=en"))))
    assert f"Prepared for {caseworker.username}" in text


def test_its_fonts_are_the_bundled_ones_and_all_embedded(client_for, lawyer, full_case):
    reader = read(client_for(lawyer).get(url(full_case, "?lang=ru")))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            fonts[str(font["/BaseFont"])] = described["/FontDescriptor"].get_object()
    assert fonts
    assert all("Passage-Sans" in name for name in fonts)
    assert all(
        any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")) for descriptor in fonts.values()
    )


def test_the_title_is_the_reference_and_no_name_is_in_the_metadata(client_for, lawyer, full_case):
    lawyer.first_name, lawyer.last_name = "Lev", "Fictionallawyer"
    lawyer.save()
    reader = read(client_for(lawyer).get(url(full_case, "?lang=en")))
    assert reader.metadata.title == full_case.reference
    assert "/Author" not in reader.metadata and "/Subject" not in reader.metadata
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    metadata = repr(dict(reader.metadata)).encode() + xmp
    for name in ("Quuxfictional", "Plumbobfictional", "Fictionallawyer", "lawyer_shared", "Lev"):
        assert name.encode() not in metadata


def test_without_annex_it_is_marked_pdf_a_3b_with_an_output_intent(client_for, lawyer, full_case):
    reader = read(client_for(lawyer).get(url(full_case, "?lang=en")))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert not reader.is_encrypted


def test_costs_whereabouts_contacts_and_notes_are_left_out(client_for, lawyer, full_case):
    text = text_of(read(client_for(lawyer).get(url(full_case, "?lang=en"))))
    for key in ("current_location", "phone", "messenger", "do_not_contact", "medical_notes", "psychological_notes"):
        assert SEALED_VALUES[key] not in text, key
    assert "EUR" not in text and "4000" not in text and "Budget" not in text


def test_html_in_the_narrative_is_printed_as_text_and_no_file_is_read(client_for, caseworker, lawyer, open_case, share):
    hostile = 'Before <img src="file:///etc/passwd"> <b>bold</b> <link rel="attachment" href="file:///etc/hosts"> after'
    case = open_case(caseworker, narrative=hostile)
    share(case, lawyer, by=caseworker)
    response = client_for(lawyer).get(url(case, "?lang=en"))
    reader = read(response)
    flat = " ".join(text_of(reader).split())
    assert '<img src="file:///etc/passwd">' in flat and "<b>bold</b>" in flat
    assert "root:" not in flat and "localhost" not in flat
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))
    assert len(reader.pages[0].images) == 0


def test_the_annex_appends_the_exhibits_with_the_footer_on_their_pages(client_for, lawyer, full_case):
    plain = read(client_for(lawyer).get(url(full_case, "?lang=en")))
    annexed = read(client_for(lawyer).get(url(full_case, "?lang=en&annex=1")))
    # The exhibit PDF's two pages and the photo's: no page of its own for the annex title or an exhibit's heading.
    assert len(annexed.pages) == len(plain.pages) + 2 + 1
    text = text_of(annexed)
    assert text.count("Fictional police summons") == 2
    assert "Exhibit 1: Police summons, 2025" in text and "Exhibit 2: Bruises, photo" in text
    total = len(annexed.pages)
    for number, page in enumerate(annexed.pages, start=1):
        assert f"Page {number} of {total}" in " ".join(page.extract_text().split())
    assert any(page.images for page in annexed.pages)  # the photo
    assert annexed.metadata.title == full_case.reference


def test_each_exhibit_page_says_which_exhibit_and_page_it_is_and_none_is_near_blank(client_for, lawyer, full_case):
    reader = read(client_for(lawyer).get(url(full_case, "?lang=en&annex=1")))
    *summary, first, second, photo = [" ".join(page.extract_text().split()) for page in reader.pages]
    # The annex title, the first exhibit's heading and its first page share a page; its second page follows.
    assert "Annex: exhibits" in first and "Exhibit 1: Police summons, 2025" in first
    assert "Exhibit 1, page 1 of 2" in first and "Fictional police summons" in first
    assert "Exhibit 1, page 2 of 2" in second and "Fictional police summons" in second
    assert "Exhibit 2, page 1 of 1" in photo and "Exhibit 2: Bruises, photo" in photo and reader.pages[-1].images
    assert not any(", page 1 of" in text for text in summary)


def test_an_annex_over_the_size_limit_is_refused_with_a_message_and_nothing_is_exported(
    client_for, lawyer, full_case, settings
):
    settings.PASSAGE_SUMMARY_ANNEX_MAX_BYTES = sum(document.size for document in full_case.documents.all()) - 1
    client = client_for(lawyer)
    response = client.get(url(full_case, "?lang=en&annex=1"))
    assert response.status_code == 302 and response["Location"] == f"/cases/{full_case.reference}/"
    assert not response.content.startswith(b"%PDF")
    page = client.get(response["Location"]).content.decode()
    assert "too large for one PDF" in page and "without the annex" in page
    assert not AccessEvent.objects.filter(action="summary_export").exists()
    assert read(client.get(url(full_case, "?lang=en"))).pages  # without the annex it is made as always


def test_a_removed_document_is_neither_indexed_nor_annexed(client_for, caseworker, lawyer, full_case):
    from documents.services import document_remove

    with key_scope():
        document_remove(document=full_case.documents.get(number=1), user=caseworker)
    text = text_of(read(client_for(lawyer).get(url(full_case, "?lang=en&annex=1"))))
    assert "Police summons" not in text and "Bruises, photo" in text


def test_each_export_is_logged_with_the_hash_of_the_pdf(client_for, lawyer, full_case):
    response = client_for(lawyer).get(url(full_case, "?lang=ru"))
    event = AccessEvent.objects.get(action="summary_export")
    assert event.username == lawyer.username and event.case_reference == full_case.reference
    assert f"sha256:{hashlib.sha256(response.content).hexdigest()}" in event.detail
    assert "lang:ru" in event.detail


def test_the_download_is_an_attachment_never_cached(client_for, lawyer, full_case):
    response = client_for(lawyer).get(url(full_case, "?lang=en&annex=1"))
    assert response["Content-Disposition"] == f'attachment; filename="{full_case.reference}-summary-en-annex.pdf"'
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"


def test_annex_0_means_no_annex_and_anything_else_is_a_bad_request(client_for, lawyer, full_case):
    client = client_for(lawyer)
    plain = read(client.get(url(full_case, "?lang=en")))
    assert len(read(client.get(url(full_case, "?lang=en&annex=0"))).pages) == len(plain.pages)
    assert client.get(url(full_case, "?lang=en&annex=yes")).status_code == 400


def test_a_language_other_than_english_or_russian_is_a_bad_request(client_for, lawyer, full_case):
    assert client_for(lawyer).get(url(full_case, "?lang=de")).status_code == 400
    assert not AccessEvent.objects.filter(action="summary_export").exists()


@pytest.mark.parametrize("persona", ["other_caseworker", "coordinator", "other_lawyer"])
def test_others_get_404_and_the_refusal_is_logged(request, client_for, full_case, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(url(full_case))
    assert response.status_code == 404 and not response.content.startswith(b"%PDF")
    assert AccessEvent.objects.filter(username=user.username, action="refused", detail="summary_export").exists()
    assert not AccessEvent.objects.filter(action="summary_export").exists()


def test_an_administrator_and_an_anonymous_visitor_get_nothing(client_for, administrator, client, full_case):
    assert client_for(administrator).get(url(full_case)).status_code == 403
    response = client.get(url(full_case))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_erased_case_has_no_summary(client_for, caseworker, full_case):
    from cases.services import case_erase

    with key_scope():
        case_erase(case=full_case, by=caseworker)
    assert client_for(caseworker).get(url(full_case)).status_code == 404


def test_the_summary_runs_a_fixed_number_of_queries(client_for, caseworker, full_case, upload):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(caseworker)
    with CaptureQueriesContext(connection) as few:
        read(client.get(url(full_case, "?lang=en")))
    for number in range(3):
        upload(full_case, caseworker, pdf_bytes(), title=f"Exhibit {number}")
    with CaptureQueriesContext(connection) as many:
        read(client.get(url(full_case, "?lang=en")))
    assert len(many.captured_queries) == len(few.captured_queries)


# ---- Nothing is ever cut off -------------------------------------------------------------------------------

LONG_WORD = "Постановлениеовозбужденииуголовногоделапостатье" + "Supercalifragilisticexpialidocious" * 2
LONG_NAMES = {
    "long": ("Maximiliana-Konstantinopolskaya Alexandrovna-Wilhelmina", "von Hohenzollern-Sigmaringen-Kanzlei"),
    "longest allowed": ("Ж" * 150, "W" * 150),  # first and last name at their maximum, without a space to break at
}


def squashed(text: str) -> str:
    """The text without spaces, line ends or hyphens: a word broken across lines reads whole again."""
    return "".join(text.split()).replace("\u2010", "").replace("-", "")


@pytest.mark.parametrize("names", LONG_NAMES.values(), ids=LONG_NAMES.keys())
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_long_name_and_a_long_word_stay_whole_and_on_the_page(
    client_for, caseworker, lawyer, open_case, share, upload, lang, names
):
    from documents.summary import person_label
    from tests.documents.conftest import png_bytes
    from tests.documents.pdf_layout import text_lines

    lawyer.first_name, lawyer.last_name = names
    lawyer.save()
    case = open_case(caseworker, narrative="Задержан на блокпосту. " * 20 + LONG_WORD)
    share(case, lawyer, by=caseworker)
    upload(
        case,
        caseworker,
        pdf_bytes(pages=2, text="Fictional police summons"),
        title=f"Повестка {LONG_WORD}",
        description=f"Описание {LONG_WORD} и ещё немного текста.",
        kind="persecution",
    )
    upload(case, caseworker, png_bytes(size=(900, 600)), title="Bruises, photo", kind="photo")
    reader = read(client_for(lawyer).get(url(case, f"?lang={lang}&annex=1")))

    with translation.override(lang):
        prepared_for = translation.gettext("Prepared for %(name)s on %(date)s").split(" %(name)s")[0]
    watermark = squashed(f"{prepared_for} {person_label(lawyer)}")
    for number, page in enumerate(reader.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        lines = text_lines(page)
        assert lines, number
        cut = [line.corners for line in lines if not line.is_within(width, height)]
        assert not cut, f"page {number}: text runs off the page at {cut}"
        assert watermark in squashed(page.extract_text()), f"page {number}: the watermark is not whole"
    text = squashed(text_of(reader))
    assert text.count(squashed(LONG_WORD)) >= 3  # the narrative, the index's title and description, the annex
