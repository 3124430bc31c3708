"""Signing in with a username no account can have: a failed sign-in like any other, never a server error."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client, username: str, password: str = "wrong password"):
    return client.post(LOGIN, {"username": username, "password": password})


def error_text(response) -> str:
    return " ".join(str(error) for error in response.context["form"].non_field_errors())


@pytest.mark.parametrize("length", [151, 256, 10_000])
def test_a_username_longer_than_any_account_can_have_is_a_failed_sign_in(client, caseworker, length):
    response = attempt(client, "u" * length)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in error_text(response)
    assert "_auth_user_id" not in client.session


def test_it_reads_the_same_as_a_wrong_password(client, caseworker):
    too_long = error_text(attempt(client, "u" * 300))
    wrong = error_text(attempt(client, caseworker.username))
    assert too_long == wrong


def test_no_password_is_checked_so_nothing_is_counted_against_anybody(client, caseworker):
    """No account has such a name and no password was tried: there is nothing for the lock to protect."""
    attempt(client, "u" * 300)
    assert not AccessAttempt.objects.exists()


def test_the_longest_possible_username_is_still_counted(client, make_user):
    longest = make_user("l" * 150)
    response = attempt(client, longest.username)
    assert response.status_code == 200
    assert AccessAttempt.objects.get().failures_since_start == 1
    assert attempt(client, longest.username, PASSWORD).status_code == 302


def test_a_wrong_password_still_counts_towards_the_lock(client, caseworker):
    attempt(client, caseworker.username)
    attempt(client, "u" * 300)
    attempt(client, caseworker.username)
    assert AccessAttempt.objects.get(username=caseworker.username).failures_since_start == 2


def test_a_username_with_a_nul_byte_is_refused_without_a_database_error(client, caseworker):
    response = attempt(client, caseworker.username + "\x00")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not AccessAttempt.objects.exists()
