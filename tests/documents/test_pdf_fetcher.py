"""The PDF renderer's URL fetcher reaches only data: URLs and Passage's own bundled assets."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from weasyprint.urls import FatalURLFetchingError

from documents.pdf import FetchRefused, PassageURLFetcher, asset_url, render_pdf


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A server on this machine that answers every request with a redirect to a local file, and counts requests."""
    requests: list[str] = []

    class Redirecting(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Redirecting)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def pdf_template(settings, tmp_path):
    """Writes a one-off template (raw HTML: what an autoescaped template could never produce from data)."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    def write(body: str) -> str:
        (tmp_path / "hostile.html").write_text(
            '{% extends "documents/pdf/base.html" %}{% block content %}' + body + "{% endblock content %}"
        )
        return "hostile.html"

    return write


def fetch(url: str):
    return PassageURLFetcher().fetch(url)


def test_the_bundled_font_is_served():
    response = fetch(asset_url("fonts/DejaVuSans.ttf"))
    assert response.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    assert response.content_type == "font/ttf"


def test_a_data_url_is_served():
    assert fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"
    assert fetch("data:,plain%20text").read() == b"plain text"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file:/etc/passwd",
        "http://127.0.0.1:9/",
        "https://example.org/font.ttf",
        "ftp://example.org/x",
        "//example.org/x",
        "etc/passwd",
        "javascript:alert(1)",
    ],
)
def test_every_other_url_is_refused(url):
    with pytest.raises(FetchRefused):
        fetch(url)


@pytest.mark.parametrize(
    "url",
    [
        "passage-asset:fonts/../../config/settings.py",
        "passage-asset:fonts/%2e%2e/%2e%2e/config/settings.py",
        "passage-asset:../../../etc/passwd",
        "passage-asset:/etc/passwd",
        "passage-asset:css/passage.css",
        "passage-asset:fonts/LICENSE-DejaVu.txt",
        "passage-asset:fonts/missing.ttf",
        "passage-asset:fonts\\..\\..\\manage.py",
        "passage-asset:fonts/DejaVuSans.ttf?x=1",
    ],
)
def test_an_asset_url_cannot_leave_the_asset_directories(url):
    with pytest.raises(FetchRefused):
        fetch(url)


def test_a_symlink_out_of_the_assets_is_refused(settings, tmp_path):
    (tmp_path / "static" / "fonts").mkdir(parents=True)
    (tmp_path / "static" / "fonts" / "escape.ttf").symlink_to("/etc/passwd")
    settings.BASE_DIR = tmp_path
    with pytest.raises(FetchRefused):
        fetch(asset_url("fonts/escape.ttf"))


def test_an_http_url_is_refused_before_any_request_is_made(server):
    base, requests = server
    with pytest.raises(FetchRefused):
        fetch(f"{base}/redirect-to-passwd")
    assert requests == []


def test_a_template_that_asks_for_a_local_file_is_not_rendered(pdf_template):
    name = pdf_template('<img src="file:///etc/passwd"><p>text</p>')
    with pytest.raises(FatalURLFetchingError):
        render_pdf(name, {}, title="EV-2026-0001", lang="en")


def test_a_template_that_asks_for_a_redirecting_url_makes_no_request(pdf_template, server):
    base, requests = server
    name = pdf_template(f'<img src="{base}/image.png"><link rel="stylesheet" href="{base}/style.css">')
    with pytest.raises(FatalURLFetchingError):
        render_pdf(name, {}, title="EV-2026-0001", lang="en")
    assert requests == []


def test_render_pdf_makes_a_pdf_in_memory_titled_as_asked(pdf_template):
    name = pdf_template("<h1>Donor report</h1><p>Привет</p>")
    pdf = render_pdf(name, {"watermark": "Prepared for nobody"}, title="Report 2026", lang="ru")
    assert pdf.startswith(b"%PDF-")
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(pdf))
    assert reader.metadata.title == "Report 2026"
    assert "Привет" in reader.pages[0].extract_text()


def test_render_pdf_refuses_a_language_passage_does_not_speak(pdf_template):
    with pytest.raises(ValueError):
        render_pdf(pdf_template("x"), {}, title="x", lang="de")
