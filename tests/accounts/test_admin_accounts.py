"""The administrator's account pages: every change is in the access log, nobody changes their own
roles, and nothing there shows a second factor's secrets."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import User
from accounts.roles import Role
from accounts.services import replace_recovery_codes
from audit.models import AccessEvent
from tests.conftest import confirmed_device

pytestmark = pytest.mark.django_db


def change_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "groups": [group.pk for group in user.groups.all()],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def group(role: Role) -> int:
    return Group.objects.get(name=role.value).pk


def test_an_administrator_cannot_give_themselves_a_role(client_for, administrator):
    url = f"/admin/accounts/user/{administrator.pk}/change/"
    client = client_for(administrator)
    response = client.post(url, change_form(administrator, groups=[group(Role.ADMINISTRATOR), group(Role.COORDINATOR)]))
    assert response.status_code == 302
    assert list(administrator.groups.values_list("name", flat=True)) == ["administrator"]


def test_a_change_of_someone_elses_roles_is_logged_and_ends_their_sessions(client_for, administrator, caseworker):
    generation = caseworker.session_generation
    response = client_for(administrator).post(
        f"/admin/accounts/user/{caseworker.pk}/change/", change_form(caseworker, groups=[group(Role.COORDINATOR)])
    )
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.is_coordinator and not caseworker.is_caseworker
    assert caseworker.session_generation == generation + 1
    entry = AccessEvent.objects.filter(action=AccessEvent.Action.ACCOUNT_CHANGE).get()
    assert (entry.username, entry.target, entry.detail) == (
        administrator.username,
        caseworker.username,
        "changed: groups",
    )


def test_setting_a_password_is_logged(client_for, administrator, caseworker):
    response = client_for(administrator).post(
        f"/admin/accounts/user/{caseworker.pk}/password/",
        {"password1": "A-long-fictional-passphrase-42", "password2": "A-long-fictional-passphrase-42"},
    )
    assert response.status_code == 302
    entry = AccessEvent.objects.filter(action=AccessEvent.Action.ACCOUNT_CHANGE).get()
    assert (entry.target, entry.detail) == (caseworker.username, "password set")
    assert "passphrase" not in entry.detail


def test_a_second_factor_reset_is_logged(client_for, administrator, caseworker):
    confirmed_device(caseworker)
    replace_recovery_codes(user=caseworker)
    response = client_for(administrator).post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [caseworker.pk]}
    )
    assert response.status_code == 302
    assert not StaticDevice.objects.filter(user=caseworker).exists()
    entry = AccessEvent.objects.filter(action=AccessEvent.Action.ACCOUNT_CHANGE).get()
    assert (entry.target, entry.detail) == (caseworker.username, "second factor reset")


@pytest.mark.parametrize("path", ["/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"])
def test_no_admin_page_shows_authenticator_keys_or_recovery_codes(client_for, administrator, caseworker, path):
    confirmed_device(caseworker)
    codes = replace_recovery_codes(user=caseworker)
    client = client_for(administrator)
    assert client.get(path).status_code == 404
    index = client.get("/admin/").content.decode()
    assert "otp_totp" not in index and "otp_static" not in index
    page = client.get(f"/admin/accounts/user/{caseworker.pk}/change/").content.decode()
    assert not any(code in page for code in codes)
