"""HTTPS behind a proxy that terminates TLS: plain HTTP is sent to HTTPS, and only a configured proxy's
X-Forwarded-Proto header counts as HTTPS.

The suite turns the redirect off for the test client (tests/environment.py); these tests turn it back on,
for one fresh client each (SecurityMiddleware reads its settings when the client builds its middleware).
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

PROXY_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_the_suite_trusts_no_forwarded_protocol_header(settings):
    assert settings.SECURE_PROXY_SSL_HEADER is None


@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_plain_http_request_is_redirected_to_https():
    response = Client().get("/accounts/login/?next=/cases/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/?next=/cases/"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_an_https_request_is_served():
    assert Client().get("/accounts/login/", secure=True).status_code == 200


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=PROXY_HEADER)
def test_behind_the_configured_proxy_a_forwarded_https_request_is_served(caseworker):
    client = Client()
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    page = sign_in(client, caseworker).get("/cases/", HTTP_X_FORWARDED_PROTO="https")
    assert page.status_code == 200
    assert "Strict-Transport-Security" in page  # the request counts as HTTPS
    # What the proxy forwards as plain HTTP is still redirected.
    assert client.get("/cases/", HTTP_X_FORWARDED_PROTO="http").status_code == 301
    assert client.get("/cases/").status_code == 301


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=None)
def test_without_a_configured_proxy_a_forged_forwarded_header_is_ignored():
    response = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in response
