"""A real browser signs in with a password and a real TOTP code and lands on the role's page."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP

from accounts.roles import Role
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, confirmed_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def totp_now(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


@pytest.mark.parametrize(("role", "landing"), [(Role.CASEWORKER, "/cases/"), (Role.COORDINATOR, "/dashboard/")])
def test_a_demo_user_signs_in_with_a_real_code_and_lands_on_their_page(page, make_user, role, landing):
    user = make_user(f"browser_{role.value}", role)
    device = confirmed_device(user)

    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/accounts/verify/**")
    assert_accessible(page)
    page.get_by_label("Code").fill(totp_now(device))
    page.get_by_role("button", name="Verify").click()

    page.wait_for_url(f"**{landing}")
    assert page.url.endswith(landing)
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert_accessible(page)
