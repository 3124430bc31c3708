"""CSRF: the token is always required; a null Origin passes only for the browser's own same-origin POST."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_client():
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/", secure=True)
    return client


def post_login(client, caseworker, **headers):
    token = client.cookies["__Host-passage-csrf"].value
    data = {"username": caseworker.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    return client.post("/accounts/login/", data, secure=True, **headers)


def test_a_same_origin_post_under_no_referrer_passes(browser_client, caseworker):
    response = post_login(browser_client, caseworker, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 302


def test_a_null_origin_from_another_site_is_refused(browser_client, caseworker):
    response = post_login(browser_client, caseworker, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    assert b"This form has expired" in response.content


def test_a_null_origin_without_fetch_metadata_is_refused(browser_client, caseworker):
    assert post_login(browser_client, caseworker, HTTP_ORIGIN="null").status_code == 403


def test_another_origin_is_refused(browser_client, caseworker):
    response = post_login(browser_client, caseworker, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403


def test_the_token_is_still_required(caseworker):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {"username": caseworker.username, "password": PASSWORD},
        secure=True,
        HTTP_ORIGIN="null",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 403


def test_the_deploy_check_notices_missing_csrf_protection(settings):
    from accounts.checks import check_csrf_middleware

    assert check_csrf_middleware(None) == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "accounts.csrf.CsrfViewMiddleware"]
    assert [error.id for error in check_csrf_middleware(None)] == ["accounts.E001"]
