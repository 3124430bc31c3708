"""Every page carries the headers that keep a browser from caching, framing or leaking it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def assert_hardened(response):
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    for directive in csp.split(";"):
        sources = directive.split()[1:]
        assert all(s in {"'self'", "'none'", "data:"} for s in sources), directive
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_login_page_is_hardened(client):
    response = client.get("/accounts/login/", secure=True)
    assert response.status_code == 200
    assert_hardened(response)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert b'<meta name="robots" content="noindex' in response.content


def test_an_authenticated_page_is_hardened(client_for, caseworker):
    response = client_for(caseworker).get("/cases/", secure=True)
    assert response.status_code == 200
    assert_hardened(response)
    assert "Strict-Transport-Security" in response


def test_cookies_are_secure_httponly_and_same_site(client, caseworker):
    from tests.conftest import PASSWORD

    client.get("/accounts/login/", secure=True)
    response = client.post("/accounts/login/", {"username": caseworker.username, "password": PASSWORD}, secure=True)
    session = response.cookies["__Host-passage-session"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["max-age"] == ""  # ends when the browser closes
    csrf = response.cookies["__Host-passage-csrf"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Strict"


def test_robots_are_told_to_stay_away(client):
    response = client.get("/robots.txt")
    assert response.content == b"User-agent: *\nDisallow: /\n"


def test_pages_load_nothing_from_other_sites(client):
    body = client.get("/accounts/login/").content.decode()
    for marker in ("http://", "https://", "//cdn", "fonts.googleapis"):
        assert marker not in body
