"""Panic and lockdown: ending sessions of oneself, of one user, or of everyone."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import replace_recovery_codes
from audit.models import AccessEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_user_ends_all_of_their_own_sessions_from_any_of_them(client_for, caseworker, other_caseworker):
    phone, laptop, colleague = client_for(caseworker), client_for(caseworker), client_for(other_caseworker)
    response = laptop.post("/accounts/security/", {})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert phone.get("/cases/").status_code == 302
    assert laptop.get("/cases/").status_code == 302
    assert colleague.get("/cases/").status_code == 200
    assert TOTPDevice.objects.filter(user=caseworker).exists()
    assert AccessEvent.objects.filter(action="session_end", username=caseworker.username).exists()


def test_a_lost_phone_is_removed_and_a_recovery_code_leads_to_a_new_authenticator(client_for, client, caseworker):
    signed_in = client_for(caseworker)
    codes = replace_recovery_codes(user=caseworker)
    signed_in.post("/accounts/security/", {"forget_authenticator": "on"})
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert StaticDevice.objects.filter(user=caseworker).exists()

    client.post("/accounts/login/", {"username": caseworker.username, "password": PASSWORD})
    # The recovery code is required before a new authenticator can be set up.
    assert client.get("/accounts/setup/")["Location"].startswith("/accounts/verify/")
    response = client.post("/accounts/verify/", {"code": codes[0]})
    assert response["Location"] == "/accounts/setup/"
    assert client.get("/accounts/setup/").status_code == 200


def test_setup_is_no_way_round_an_existing_authenticator(client, caseworker):
    TOTPDevice.objects.create(user=caseworker, name="authenticator", confirmed=True)
    client.post("/accounts/login/", {"username": caseworker.username, "password": PASSWORD})
    assert client.get("/accounts/setup/")["Location"].startswith("/accounts/verify")


@pytest.mark.parametrize("persona", ["coordinator", "administrator"])
def test_a_coordinator_or_administrator_ends_one_users_sessions(request, client_for, caseworker, persona):
    actor = request.getfixturevalue(persona)
    target = client_for(caseworker)
    admin_client = client_for(actor)
    response = admin_client.post("/accounts/lockdown/", {"end_user": "1", "user": caseworker.username})
    assert response.status_code == 302
    assert target.get("/cases/").status_code == 302
    assert admin_client.get("/accounts/lockdown/").status_code == 200
    assert AccessEvent.objects.filter(
        action="session_end", target=caseworker.username, username=actor.username
    ).exists()


def test_lockdown_ends_every_session_of_everyone(client_for, coordinator, caseworker, lawyer):
    clients = [client_for(user) for user in (coordinator, caseworker, lawyer)]
    refused = clients[0].post("/accounts/lockdown/", {"lockdown": "1", "confirm": "lockdown please"})
    assert refused.status_code == 200
    assert "Type the word LOCKDOWN" in refused.content.decode()
    assert clients[1].get("/cases/").status_code == 200

    assert clients[0].post("/accounts/lockdown/", {"lockdown": "1", "confirm": "LOCKDOWN"}).status_code == 302
    assert [c.get("/cases/").status_code for c in clients] == [302, 302, 302]
    assert AccessEvent.objects.filter(action="lockdown", username=coordinator.username).exists()


@pytest.mark.parametrize(("persona", "status"), [("caseworker", 403), ("lawyer", 403)])
def test_others_cannot_end_sessions(request, client_for, other_caseworker, persona, status):
    client = client_for(request.getfixturevalue(persona))
    victim = client_for(other_caseworker)
    assert (
        client.post("/accounts/lockdown/", {"end_user": "1", "user": other_caseworker.username}).status_code == status
    )
    assert client.post("/accounts/lockdown/", {"lockdown": "1", "confirm": "LOCKDOWN"}).status_code == status
    assert victim.get("/cases/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get("/accounts/lockdown/")["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/security/")["Location"].startswith("/accounts/login/")
