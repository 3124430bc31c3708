"""Brute force: five wrong passwords lock that username from that address for an hour."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_five_failures_lock_the_account_from_that_address(client, caseworker):
    for _ in range(4):
        assert attempt(client, caseworker.username, "wrong password").status_code == 200
    locked = attempt(client, caseworker.username, "wrong password")
    assert locked.status_code == 429
    assert b"Signing in is locked" in locked.content
    assert b"60 minutes" in locked.content

    # Even the right password is refused now.
    right = attempt(client, caseworker.username, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_locked_page_says_who_can_unlock_and_whom_to_warn(client, caseworker):
    for _ in range(5):
        locked = attempt(client, caseworker.username, "wrong password")
    assert locked.status_code == 429
    text = " ".join(locked.content.decode().split())
    # Unlocking is an administrator's permission (django-axes' access attempts); a coordinator has none.
    assert "ask an administrator to unlock your account now." in text
    assert "coordinator or an administrator to unlock" not in text
    assert "If it was not you, tell your coordinator or an administrator at once" in text


def test_the_lock_is_on_the_pair_of_username_and_address(client, caseworker, other_caseworker):
    for _ in range(5):
        attempt(client, caseworker.username, "wrong password")
    # Another user at the same address still signs in.
    assert attempt(client, other_caseworker.username, PASSWORD).status_code == 302
    # The same user from another address too.
    assert attempt(client, caseworker.username, PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(client, caseworker):
    for n in range(5):
        attempt(client, caseworker.username, "wrong password", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = attempt(client, caseworker.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429


def test_behind_a_configured_proxy_the_forwarded_address_counts(client, caseworker, settings):
    settings.PASSAGE_TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        attempt(client, caseworker.username, "wrong password", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert attempt(client, caseworker.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # Another client behind the same proxy is not locked out.
    assert attempt(client, caseworker.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302


def test_the_client_address_takes_the_proxys_view_not_the_clients(rf, settings):
    from accounts.network import client_address

    settings.PASSAGE_TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == "10.0.0.2"
    settings.PASSAGE_TRUSTED_PROXY_COUNT = 1
    # The client prepends a forged address; the one proxy appends the real one.
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == "203.0.113.9"
