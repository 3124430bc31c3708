"""Sessions end when idle, when the browser closes, and all at once on demand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.services import end_sessions

pytestmark = pytest.mark.django_db


def test_a_session_lasts_thirty_idle_minutes(client_for, caseworker, settings):
    client = client_for(caseworker)
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.get("/cases/")
    assert client.session.get_expiry_age() == 30 * 60
    assert client.session.get_expire_at_browser_close()


def test_an_idle_session_expires(client_for, caseworker):
    client = client_for(caseworker)
    assert client.get("/cases/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_each_request_extends_the_session(client_for, caseworker):
    client = client_for(caseworker)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get("/cases/")
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(minutes=29)


def test_ending_a_users_sessions_signs_out_every_browser(client_for, caseworker, other_caseworker):
    laptop = client_for(caseworker)
    phone = client_for(caseworker)
    colleague = client_for(other_caseworker)
    end_sessions(user=caseworker)
    assert laptop.get("/cases/").status_code == 302
    assert phone.get("/cases/").status_code == 302
    assert colleague.get("/cases/").status_code == 200
