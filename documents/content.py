"""What an uploaded file really is, judged by its content (never its name), and the clean copy Passage keeps.

Accepted: PDF, JPEG, PNG and HEIC (iPhone photos). Each is recognised by its
first bytes AND by a real parse (pypdf, Pillow, pillow-heif); anything else,
or anything that claims a type it does not parse as, is refused with a
message for the person uploading.

- Images are decoded and re-encoded from their pixels alone, so EXIF (GPS
  position, camera, time), XMP, IPTC, comments, ICC profiles and anything
  hidden after the image are gone. The EXIF orientation is applied first so
  the picture stays upright. HEIC becomes JPEG.
- PDFs are kept byte for byte (a re-written PDF would lose a court's digital
  signature) but refused when they carry active content: JavaScript, actions
  run on opening or on events, launch actions, embedded files, forms that
  submit or import data, rich media. Refusing is what we chose over
  neutralising: it is simple to prove, and the caseworker can print the file
  to a new PDF or scan it. Encrypted PDFs are refused too: what we cannot
  read, we cannot check.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from documents.models import Document

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}

# Keys that make a PDF do something when opened or clicked, or carry other files.
PDF_ACTIVE_KEYS = {
    "/JS",
    "/JavaScript",
    "/AA",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
    "/GoToR",
    "/Sound",
    "/Movie",
    "/EF",  # the embedded-file stream of a file specification
}
# The same when they are the type of an object or an action (/S /JavaScript, /Subtype /FileAttachment).
PDF_ACTIVE_TYPES = {
    "/JavaScript",
    "/Launch",
    "/EmbeddedFile",
    "/FileAttachment",
    "/RichMedia",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
    "/GoToR",
    "/Sound",
    "/Movie",
    "/Rendition",
    "/Screen",
}
# Long names also looked for in the raw bytes, which catches objects no cross-reference table points at
# (a damaged file some readers would repair). Short ones (/JS, /AA) would match inside image data by chance.
PDF_ACTIVE_TOKENS = (b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/RichMedia")
# A PDF's object graph is walked to this many objects at most; more is not a document, it is an attack.
PDF_MAX_OBJECTS = 200_000
JPEG_QUALITY = 90


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks: the bytes to store, their type, and facts about them."""

    content: bytes
    content_type: str
    pages: int | None
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="refused_file")


def max_upload_bytes() -> int:
    return settings.PASSAGE_UPLOAD_MAX_BYTES


def too_large_message() -> str:
    return _("The file is larger than %(limit)s, the most Passage accepts.") % {
        "limit": filesizeformat(max_upload_bytes())
    }


def _sniff_other(data: bytes) -> str:
    """A clearer refusal for the usual wrong files."""
    head = data[:512].lstrip().lower()
    if data.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")):
        return _("This is a program or script. Passage accepts PDF, JPEG, PNG and HEIC files only.")
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return _(
            "This is an archive (ZIP or similar), or an office document, which is one. "
            "Passage accepts PDF, JPEG, PNG and HEIC files only: save or print it as a PDF."
        )
    if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
        return _("This is an SVG or XML file, which can carry scripts. Upload a PNG, JPEG or PDF instead.")
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or b"<html" in head:
        return _("This is a web page (HTML). Print it to a PDF and upload that.")
    return _("Passage accepts PDF, JPEG, PNG and HEIC files only, recognised by their content; this file is none.")


def check_upload(data: bytes) -> CheckedFile:
    """The clean file to store, or ValidationError with a message for the person who uploaded it."""
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > max_upload_bytes():
        raise _refuse(too_large_message())
    if data.startswith(PDF_MAGIC):
        return _check_pdf(data)
    if data.startswith(JPEG_MAGIC):
        return _clean_image(data, "JPEG")
    if data.startswith(PNG_MAGIC):
        return _clean_image(data, "PNG")
    if data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS:
        return _clean_heic(data)
    raise _refuse(_sniff_other(data))


# ---- PDF -------------------------------------------------------------------------------------------------


def _not_a_pdf() -> ValidationError:
    return _refuse(_("This file says it is a PDF but is not one that can be read. Scan or print it again."))


def _active_content() -> ValidationError:
    return _refuse(
        _(
            "This PDF contains scripts, automatic actions or embedded files, which Passage does not accept. "
            "Print it to a new PDF (or scan it) and upload that."
        )
    )


def _check_pdf(data: bytes) -> CheckedFile:
    if any(token in data for token in PDF_ACTIVE_TOKENS):
        raise _active_content()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise _refuse(_("This PDF is protected by a password. Remove the protection, then upload it."))
            pages = len(reader.pages)
            if pages < 1:
                raise _not_a_pdf()
            _refuse_active_pdf(reader)
    except ValidationError:
        raise
    except (PyPdfError, PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        raise _not_a_pdf() from None
    return CheckedFile(content=data, content_type=Document.ContentType.PDF, pages=pages, sha256=_sha256(data))


def _refuse_active_pdf(reader: PdfReader) -> None:
    """Walks every object reachable from the trailer and every object in the cross-reference tables."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    for generation, numbers in reader.xref.items():
        stack.extend(IndirectObject(number, generation, reader) for number in numbers)
    for number in reader.xref_objStm:
        stack.append(IndirectObject(number, 0, reader))
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise _not_a_pdf()
        if isinstance(item, DictionaryObject | StreamObject):
            for name, value in item.items():
                if name in PDF_ACTIVE_KEYS:
                    raise _active_content()
                if name in ("/S", "/Type", "/Subtype") and isinstance(value, NameObject) and value in PDF_ACTIVE_TYPES:
                    raise _active_content()
                if name == "/OpenAction" and not _is_plain_destination(value):
                    raise _active_content()
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _is_plain_destination(value) -> bool:
    """An /OpenAction that only opens a page ([page /Fit]) or goes to one is harmless; any other is not."""
    value = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(value, ArrayObject):
        return True
    return isinstance(value, DictionaryObject) and value.get("/S") == "/GoTo" and "/Next" not in value


# ---- Images -------------------------------------------------------------------------------------------------


def _unreadable_image(kind: str) -> ValidationError:
    return _refuse(
        _("This file says it is a %(kind)s image but cannot be read as one. Take or export the picture again.")
        % {"kind": kind}
    )


def _too_many_pixels() -> ValidationError:
    return _refuse(
        _("This image is too large (more than %(megapixels)s megapixels). Export it at a smaller size.")
        % {"megapixels": settings.PASSAGE_IMAGE_MAX_PIXELS // 1_000_000}
    )


def _clean_image(data: bytes, kind: str) -> CheckedFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as probe:
                if probe.width * probe.height > settings.PASSAGE_IMAGE_MAX_PIXELS:
                    raise _too_many_pixels()
                probe.verify()
            # verify() leaves the image unusable: open again to decode the pixels.
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _reencode(upright, "PNG" if kind == "PNG" else "JPEG")
    except ValidationError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _unreadable_image(kind) from None


def _clean_heic(data: bytes) -> CheckedFile:
    import pillow_heif  # not registered with Pillow globally: only this path decodes HEIC

    try:
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
        width, height = heif.size
        if width * height > settings.PASSAGE_IMAGE_MAX_PIXELS:
            raise _too_many_pixels()
        image = heif.to_pillow()
        image.load()
        # HEIC keeps its rotation in the container (irot), applied by pillow-heif; EXIF may repeat it.
        image.info.pop("exif", None)
        return _reencode(image, "JPEG")
    except ValidationError:
        raise
    except (OSError, ValueError, RuntimeError, SyntaxError):
        raise _unreadable_image("HEIC") from None


def _pixels_only(image: Image.Image, output: str) -> Image.Image:
    """A new image made from the pixel values alone: no metadata of the original can come along."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        # 16-bit and float greys: scale to 8 bits rather than clip everything above 255 to white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info)
    grey = image.mode in ("1", "L")
    if output == "JPEG":
        if has_alpha:  # JPEG has no transparency: flatten onto white, as a viewer would show it
            rgba = image.convert("RGBA")
            background = Image.new("RGB", rgba.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        mode = "L" if grey else "RGB"
    else:
        mode = "L" if grey else ("RGBA" if has_alpha else "RGB")
    converted = image.convert(mode) if image.mode != mode else image
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _reencode(image: Image.Image, output: str) -> CheckedFile:
    clean = _pixels_only(image, output)
    buffer = io.BytesIO()
    if output == "JPEG":
        clean.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        content_type = Document.ContentType.JPEG
    else:
        clean.save(buffer, format="PNG", compress_level=6)
        content_type = Document.ContentType.PNG
    content = buffer.getvalue()
    if len(content) > max_upload_bytes():
        raise _refuse(too_large_message())
    return CheckedFile(content=content, content_type=content_type, pages=None, sha256=_sha256(content))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
