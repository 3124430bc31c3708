"""Files are recognised by their content: what is accepted, what is refused with which message, what is cleaned."""

from __future__ import annotations

import io

import pillow_heif
import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from documents.content import check_upload
from tests.documents.conftest import GPS, jpeg_with_gps, pdf_bytes, pdf_with_javascript, png_bytes


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        check_upload(data)
    return " ".join(caught.value.messages)


def written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# ---- accepted ----------------------------------------------------------------------------------------------


def test_a_pdf_is_kept_byte_for_byte_and_its_pages_counted():
    data = pdf_bytes(pages=3, text="Fictional court decision")
    checked = check_upload(data)
    assert checked.content == data
    assert checked.content_type == "application/pdf"
    assert checked.pages == 3


def test_a_pdf_that_only_opens_on_a_page_is_accepted():
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    writer._root_object[NameObject("/OpenAction")] = ArrayObject([page.indirect_reference, NameObject("/Fit")])
    assert check_upload(written(writer)).pages == 1


def test_a_jpeg_loses_its_gps_position_camera_and_comment():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test file does carry GPS
    checked = check_upload(original)
    assert checked.content_type == "image/jpeg"
    cleaned = Image.open(io.BytesIO(checked.content))
    assert dict(cleaned.getexif()) == {}
    assert cleaned.getexif().get_ifd(0x8825) == {}
    assert "exif" not in cleaned.info and "comment" not in cleaned.info and "icc_profile" not in cleaned.info
    for needle in (b"FictionalPhone", b"SafeHouseCam", b"Grelmstrasse", b"Exif"):
        assert needle not in checked.content
    assert cleaned.size == (60, 40)
    assert GPS  # (the fictional position, for the reader)


def test_a_photo_taken_sideways_is_turned_upright_before_its_exif_goes():
    image = Image.new("RGB", (60, 40), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    cleaned = Image.open(io.BytesIO(check_upload(buffer.getvalue()).content))
    assert cleaned.size == (40, 60)


def test_a_png_loses_its_text_chunks_and_keeps_its_pixels():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "Grelmstrasse 17, Fictionburg")
    image = Image.new("RGBA", (8, 8), (10, 20, 30, 128))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    checked = check_upload(buffer.getvalue())
    assert checked.content_type == "image/png"
    assert b"Grelmstrasse" not in checked.content
    cleaned = Image.open(io.BytesIO(checked.content))
    assert cleaned.text == {}
    assert cleaned.getpixel((3, 3)) == (10, 20, 30, 128)


def test_a_heic_photo_becomes_a_clean_jpeg():
    buffer = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (200, 30, 30))).save(buffer, quality=90)
    checked = check_upload(buffer.getvalue())
    assert checked.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(checked.content)).size == (64, 48)


def test_a_heic_photo_loses_its_gps_position_camera_and_xmp():
    exif = Image.Exif()
    exif[0x010F] = "FictionalPhone Inc."  # Make
    exif[0x0131] = "SafeHouseCam 1.0"  # Software
    exif.get_ifd(0x8825).update(GPS)
    buffer = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (20, 120, 200))).save(
        buffer, quality=90, exif=exif.tobytes(), xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Grelmstrasse 17</x:xmpmeta>'
    )
    original = buffer.getvalue()
    carried = Image.Exif()
    carried.load(pillow_heif.open_heif(io.BytesIO(original)).info["exif"])
    assert carried.get_ifd(0x8825) == GPS and b"Grelmstrasse" in original  # the test file does carry them

    checked = check_upload(original)
    assert checked.content_type == "image/jpeg"
    cleaned = Image.open(io.BytesIO(checked.content))
    assert dict(cleaned.getexif()) == {} and cleaned.getexif().get_ifd(0x8825) == {}
    assert "exif" not in cleaned.info and "xmp" not in cleaned.info and "icc_profile" not in cleaned.info
    for needle in (b"FictionalPhone", b"SafeHouseCam", b"Grelmstrasse", b"Exif", b"xmpmeta"):
        assert needle not in checked.content
    assert cleaned.size == (64, 48)


def test_a_file_is_judged_by_content_whatever_it_claims_to_be():
    # No name reaches check_upload at all: a PNG is a PNG whatever it was called.
    assert check_upload(png_bytes()).content_type == "image/png"


# ---- refused -----------------------------------------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert "empty" in refusal(b"")


def test_a_file_over_the_limit_is_refused(settings):
    settings.PASSAGE_UPLOAD_MAX_BYTES = 1000
    assert "larger than" in refusal(pdf_bytes() + b" " * 1000)


def test_a_file_that_claims_to_be_a_pdf_but_is_not_is_refused():
    assert "says it is a PDF but is not" in refusal(b"%PDF-1.7\nthis is not really a PDF at all\n%%EOF")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "web page"),
        (b"<html><img src=x onerror=alert(1)>", "web page"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        (b'<svg onload="alert(1)"/>', "SVG"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "program"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "program"),
        (b"#!/bin/sh\nrm -rf /\n", "program"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 64, "archive"),
        (b"plain text that says passport", "PDF, JPEG, PNG and HEIC files only"),
    ],
    ids=["html", "html-fragment", "svg", "svg-bare", "exe", "elf", "script", "zip", "text"],
)
def test_files_of_other_kinds_are_refused_with_a_message_that_says_why(data, words):
    assert words in refusal(data)


def test_a_pdf_with_javascript_is_refused():
    assert "scripts" in refusal(pdf_with_javascript())


def test_a_pdf_that_runs_javascript_when_opened_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    assert "scripts" in refusal(written(writer))


def test_a_pdf_with_a_launch_action_on_a_page_is_refused():
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    launch = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("x")})
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(launch)})
    assert "scripts" in refusal(written(writer))


def test_a_pdf_with_an_embedded_file_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("payload.exe", b"MZ fictional")
    assert "embedded files" in refusal(written(writer))


def test_a_pdf_hiding_its_javascript_behind_escaped_names_is_refused():
    # /J#61vaScript is /JavaScript to a PDF reader; a plain byte search would miss it, the parse does not.
    data = pdf_with_javascript().replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert b"/JavaScript" not in data
    assert "scripts" in refusal(data)


def test_a_password_protected_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret-fictional", algorithm="AES-128")
    assert "password" in refusal(written(writer))


def test_a_truncated_jpeg_is_refused():
    assert "cannot be read" in refusal(jpeg_with_gps()[:200])


def test_a_png_header_on_garbage_is_refused():
    assert "cannot be read" in refusal(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)


def test_an_image_of_too_many_pixels_is_refused(settings):
    settings.PASSAGE_IMAGE_MAX_PIXELS = 100
    assert "too large" in refusal(png_bytes(size=(20, 20)))


def test_a_pdf_whose_page_count_is_a_trick_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer._root_object["/Pages"].get_object()[NameObject("/Count")] = NumberObject(-5)
    data = written(writer)
    with pytest.raises(ValidationError):
        check_upload(data.replace(b"/Kids", b"/Kidz"))
