"""Signing in: password, then the second factor, then each role's start page."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from tests.conftest import PASSWORD, confirmed_device

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def password_step(client, user, password=PASSWORD):
    return client.post(LOGIN, {"username": user.username, "password": password})


@pytest.mark.parametrize(
    ("role", "start_page"),
    [
        (Role.CASEWORKER, "/cases/"),
        (Role.LAWYER, "/cases/"),
        (Role.COORDINATOR, "/dashboard/"),
        (Role.ADMINISTRATOR, "/admin/"),
    ],
)
def test_each_role_signs_in_with_both_factors_and_lands_on_its_page(client, make_user, role, start_page):
    user = make_user(f"user_{role.value}", role)
    device = confirmed_device(user)

    response = password_step(client, user)
    assert response.status_code == 302
    start = client.get(response["Location"])
    assert start.status_code == 302
    assert start["Location"].startswith("/accounts/verify/")

    verified = client.post("/accounts/verify/", {"code": current_code(device), "next": "/accounts/start/"})
    assert verified.status_code == 302
    landing = client.get(verified["Location"])
    assert landing.status_code == 302
    assert landing["Location"] == start_page
    assert client.get(start_page).status_code == 200


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_a_wrong_password_is_refused_for_every_role(client, make_user, role):
    user = make_user(f"user_{role.value}", role)
    confirmed_device(user)
    response = password_step(client, user, password="not the password")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session
    # Nothing opened: the start page and the role's own page still send the visitor to sign in.
    start = client.get("/accounts/start/")
    assert start.status_code == 302
    assert start["Location"].startswith("/accounts/login/")
    own_page = {"caseworker": "/cases/", "lawyer": "/cases/", "coordinator": "/dashboard/", "administrator": "/admin/"}
    landing = client.get(own_page[role.value], follow=True)
    assert landing.request["PATH_INFO"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_refused_with_a_message(client, caseworker):
    response = password_step(client, caseworker, password="not the password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert b"Please enter a correct username and password" in response.content


def test_an_unknown_user_is_refused_the_same_way(client):
    response = client.post(LOGIN, {"username": "nobody", "password": "whatever it is"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_a_password_alone_opens_nothing_in_production_mode(client, caseworker):
    password_step(client, caseworker)
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/setup/")


def test_a_wrong_code_keeps_the_user_at_the_second_step(client, caseworker):
    device = confirmed_device(caseworker)
    password_step(client, caseworker)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/verify/", {"code": wrong})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert client.get("/cases/").status_code == 302


def test_the_admin_requires_the_second_factor_too(client, administrator):
    confirmed_device(administrator)
    password_step(client, administrator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/verify/")


def test_the_admin_login_page_sends_everybody_to_the_one_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_demo_users_may_skip_the_second_factor_on_a_development_run(client, caseworker, settings):
    settings.PASSAGE_REQUIRE_2FA = False
    password_step(client, caseworker)
    assert client.get("/cases/").status_code == 200


def test_a_development_run_asked_for_the_second_factor_requires_it(client, caseworker, settings, monkeypatch):
    # The settings as config/settings.py computes them for DJANGO_DEBUG=1 and PASSAGE_REQUIRE_2FA=1.
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    monkeypatch.setenv("PASSAGE_REQUIRE_2FA", "1")
    loaded = runpy.run_path(str(Path(__file__).resolve().parents[2] / "config" / "settings.py"))
    assert loaded["DEBUG"] is True
    settings.DEBUG = loaded["DEBUG"]
    settings.PASSAGE_REQUIRE_2FA = loaded["PASSAGE_REQUIRE_2FA"]

    password_step(client, caseworker)
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/setup/")
    assert client.get("/accounts/start/")["Location"].startswith("/accounts/setup/")


def test_a_user_with_a_device_is_asked_for_it_even_on_a_development_run(client, caseworker, settings):
    settings.PASSAGE_REQUIRE_2FA = False
    confirmed_device(caseworker)
    password_step(client, caseworker)
    assert client.get("/cases/")["Location"].startswith("/accounts/verify/")


def test_enrolment_shows_a_server_drawn_qr_code_and_confirms_with_a_code(client, caseworker, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below would otherwise delay the right one
    password_step(client, caseworker)
    page = client.get("/accounts/setup/")
    assert page.status_code == 200
    assert b'src="data:image/svg+xml;base64,' in page.content
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    assert client.get("/accounts/setup/").context["secret"] == page.context["secret"]

    bad = client.post("/accounts/setup/", {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert bad.status_code == 200
    assert b"does not match" in bad.content

    done = client.post("/accounts/setup/", {"code": current_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert code.encode() in done.content
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/cases/").status_code == 200


def test_recovery_codes_are_shown_once_only(client, caseworker):
    password_step(client, caseworker)
    client.get("/accounts/setup/")
    device = TOTPDevice.objects.get(user=caseworker, confirmed=False)
    code = current_code(device)
    shown = client.post("/accounts/setup/", {"code": code})
    codes = shown.context["codes"]
    assert len(codes) == 10
    assert all(recovery.encode() in shown.content for recovery in codes)
    assert "no-store" in shown["Cache-Control"]  # the browser keeps no copy to show again

    def shows_a_code(response) -> bool:
        body = response.content.decode()
        return any(recovery in body for recovery in codes)

    # Reloading the page sends the form again; coming back to the address asks for nothing new.
    reloaded = client.post("/accounts/setup/", {"code": code})
    assert reloaded.status_code == 302
    assert not shows_a_code(reloaded)
    assert not shows_a_code(client.post("/accounts/setup/", {"code": code}, follow=True))
    revisited = client.get("/accounts/setup/", follow=True)
    assert revisited.status_code == 200
    assert not shows_a_code(revisited)
    assert "codes" not in revisited.context
    assert not shows_a_code(client.get("/accounts/security/"))
    # The same after signing in again.
    client.post(reverse("accounts:logout"))
    password_step(client, caseworker)
    assert not shows_a_code(client.get("/accounts/setup/", follow=True))


def test_a_recovery_code_works_once(client, caseworker):
    from accounts.services import replace_recovery_codes

    confirmed_device(caseworker)
    codes = replace_recovery_codes(user=caseworker)

    password_step(client, caseworker)
    assert client.post("/accounts/verify/", {"code": codes[0]}).status_code == 302
    assert client.get("/cases/").status_code == 200
    assert StaticToken.objects.filter(device__user=caseworker).count() == 9

    client.post(reverse("accounts:logout"))
    password_step(client, caseworker)
    again = client.post("/accounts/verify/", {"code": codes[0]})
    assert again.status_code == 200
    assert client.get("/cases/").status_code == 302


def test_verify_does_not_redirect_to_another_site(client, caseworker):
    device = confirmed_device(caseworker)
    password_step(client, caseworker)
    response = client.post("/accounts/verify/", {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/accounts/start/"


def test_logout_is_a_post(client_for, caseworker):
    client = client_for(caseworker)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/cases/").status_code == 302


def test_a_user_without_a_role_is_told_so(client_for, make_user):
    user = make_user("roleless")
    response = client_for(user).get("/accounts/start/")
    assert response.status_code == 200
    assert b"no role yet" in response.content
