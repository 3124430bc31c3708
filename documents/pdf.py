"""PDFs made in memory by WeasyPrint from autoescaped templates, with a URL fetcher that reaches nothing outside.

`render_pdf(template_name, context, title=..., lang=...)` is the one way
Passage turns a template into PDF bytes (the asylum summary, the donor
report). The template should extend `documents/pdf/base.html`, which names
the bundled DejaVu fonts, numbers pages "page X of Y", puts a
confidentiality footer on every page and, when the context has a
`watermark`, prints it across every page.

WeasyPrint's own fetcher reads `file://` and any web address (see DESIGN.md
section 8). Ours allows two kinds of URL only:

- `data:` URLs (images of exhibits are inlined this way);
- `passage-asset:<dir>/<file>`, mapped to a file under the project's
  `static/<dir>/` for a few directories and file types, after normalising
  the path; nothing outside those directories is reachable, symlinks
  included.

Everything else, `file:`, `http(s):`, `ftp:`, relative URLs, is refused
before any connection or file read, and a refusal stops the rendering, so a
template that asks for anything else fails loudly instead of quietly
printing without it. Nothing follows redirects: nothing fetches over a
network.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_SCHEME = "passage-asset"
ASSET_PREFIX = f"{ASSET_SCHEME}:"
# Directories under static/ the renderer may read, and the file types it may read there.
ASSET_DIRECTORIES = ("fonts", "img")
ASSET_TYPES = {
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9.+-]*):")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# PDF/A-3b (archival) is what WeasyPrint writes by default here; see PDF_VARIANT in settings and README.
DEFAULT_VARIANT = "pdf/a-3b"


class FetchRefused(ValueError):
    """The PDF renderer was asked for a URL it must not fetch."""


def asset_url(relative_path: str) -> str:
    """The URL a PDF template uses for a bundled asset, e.g. asset_url("fonts/DejaVuSans.ttf")."""
    return f"{ASSET_PREFIX}{relative_path}"


def _assets_root() -> Path:
    return (Path(settings.BASE_DIR) / "static").resolve()


def asset_path(url: str) -> Path:
    """The file a `passage-asset:` URL names; FetchRefused unless it is an allowed file under static/."""
    if not url.startswith(ASSET_PREFIX):
        raise FetchRefused("Not a Passage asset URL.")
    relative = url[len(ASSET_PREFIX) :].lstrip("/")
    if any(character in relative for character in "%\\?#\x00") or not relative:
        raise FetchRefused("A Passage asset URL names a plain path under static/, nothing else.")
    parts = PurePosixPath(relative).parts
    if len(parts) < 2 or parts[0] not in ASSET_DIRECTORIES or not all(_SAFE_NAME.match(part) for part in parts):
        raise FetchRefused("A Passage asset URL must name a file in one of the asset directories.")
    if PurePosixPath(parts[-1]).suffix.lower() not in ASSET_TYPES:
        raise FetchRefused("The PDF renderer reads fonts and images only.")
    directory = (_assets_root() / parts[0]).resolve()
    path = (_assets_root() / PurePosixPath(*parts)).resolve()
    if not path.is_relative_to(directory) or not path.is_file():
        raise FetchRefused("No such Passage asset.")
    return path


def _data_response(url: str) -> URLFetcherResponse:
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise FetchRefused("A data: URL without data.")
    is_base64 = header.lower().endswith(";base64")
    media_type = (header[: -len(";base64")] if is_base64 else header).split(";")[0].strip() or "text/plain"
    raw = unquote_to_bytes(payload)
    if is_base64:
        try:
            raw = base64.b64decode(raw, validate=False)
        except (binascii.Error, ValueError):
            raise FetchRefused("A data: URL with broken base64.") from None
    return URLFetcherResponse(url, raw, {"Content-Type": media_type})


class PassageURLFetcher(URLFetcher):
    """Serves `data:` and Passage's own bundled assets; refuses every other URL without opening it."""

    def __init__(self) -> None:
        # No redirect handler, no protocols beyond ours; fail_on_errors makes a refusal stop the rendering.
        super().__init__(allowed_protocols=("data", ASSET_SCHEME), allow_redirects=False, fail_on_errors=True)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        match = _SCHEME.match(url)
        scheme = match[1].lower() if match else ""
        if scheme == "data":
            return _data_response(url)
        if scheme == ASSET_SCHEME:
            path = asset_path(url)
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": ASSET_TYPES[path.suffix.lower()]})
        # Scheme only: the rest of a refused URL is not ours to repeat in a log.
        raise FetchRefused(f"The PDF renderer fetches no {scheme or 'relative'} URL.")

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        # urllib's machinery (which would follow http, ftp, file) is never used: everything goes through fetch().
        full_url = url.full_url if hasattr(url, "full_url") else url
        return self.fetch(full_url)


def page_label() -> SafeString:
    """'Page X of Y' in the active language, with the numbers filled in by CSS counters."""
    text = escape(gettext("Page %(page)s of %(pages)s"))
    return mark_safe(  # noqa: S308 - the translation is escaped above; the spans are ours
        text % {"page": '<span class="page-number"></span>', "pages": '<span class="page-count"></span>'}
    )


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    title: str,
    lang: str,
    variant: str | None = DEFAULT_VARIANT,
) -> bytes:
    """Renders a template to PDF bytes, in memory, in the given language.

    `title` becomes the PDF's title (use a reference, never a person's name);
    no author, subject or keywords are written. `variant` is WeasyPrint's
    `pdf_variant` ("pdf/a-3b" by default; None for a plain PDF).
    """
    return render_document(template_name, context, title=title, lang=lang).write_pdf(pdf_variant=variant)


def render_document(template_name: str, context: dict[str, Any], *, title: str, lang: str) -> Document:
    """The laid-out WeasyPrint document (pages, anchors) before it is written; see render_pdf."""
    if lang not in dict(settings.LANGUAGES):
        raise ValueError(f"render_pdf: unsupported language {lang!r}.")
    with translation.override(lang):
        html = render_to_string(
            template_name,
            {
                **context,
                "pdf_title": title,
                "pdf_lang": lang,
                "page_label": page_label(),
                "font_regular": asset_url("fonts/DejaVuSans.ttf"),
                "font_bold": asset_url("fonts/DejaVuSans-Bold.ttf"),
            },
        )
    document = HTML(string=html, base_url=None, url_fetcher=PassageURLFetcher()).render()
    metadata = document.metadata
    # Whatever the template says, the PDF's metadata names the title given and nothing else.
    metadata.title = title
    metadata.authors = []
    metadata.description = None
    metadata.keywords = []
    metadata.attachments = []
    metadata.custom = {}
    return document
