"""The safe-house pages and the dashboard (issue 5), in Chromium, with data: no serious or critical WCAG violation
(axe-core), the charts drawn, and nothing blocked by the Content Security Policy."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_otp.oath import TOTP

from shelters.services import case_place_in_shelter, shelter_create
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, confirmed_device
from tests.shelters.conftest import SHELTER_SECRETS, days
from tests.shelters.money import receive, set_stage, spend
from vault.keys import key_scope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def dashboard_not_kept(settings):
    settings.PASSAGE_DASHBOARD_CACHE_SECONDS = 0


def a_house(coordinator, capacity: int = 4):
    with key_scope():
        return shelter_create(
            by=coordinator,
            data={"code_name": "Lighthouse", "city": "Fictionburg", "capacity": capacity, **SHELTER_SECRETS},
        )


def place(case, house, coordinator, starts_on):
    return case_place_in_shelter(case=case, shelter=house, starts_on=starts_on, by=coordinator)


def sign_in(page, user) -> None:
    device = confirmed_device(user)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/verify/**")
    page.get_by_label("Code").fill(f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def visit(page, path: str) -> None:
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert_accessible(page)
    assert blocked == [], blocked


def test_the_coordinators_pages_are_accessible(page, coordinator, caseworker, open_case):
    today = timezone.localdate()
    house = a_house(coordinator, capacity=2)
    case = open_case(caseworker, risk="urgent")
    place(case, house, coordinator, today - days(2))
    place(open_case(caseworker), house, coordinator, today + days(3))
    set_stage(case, "travel_documents", "blocked", blocked_reason="waiting_embassy", by=caseworker)
    spend(case, "shelter", "250.00", on=today, by=caseworker)
    receive("5000.00", on=today, by=coordinator)
    sign_in(page, coordinator)
    for path in (
        "/dashboard/",
        "/dashboard/assignments/",
        "/shelters/",
        f"/shelters/{house.pk}/",
        f"/shelters/{house.pk}/edit/",
        "/shelters/requests/",
        f"/cases/{case.reference}/",
        f"/shelters/cases/{case.reference}/move/",
        f"/shelters/cases/{case.reference}/keep-apart/",
    ):
        visit(page, path)
    page.goto("/dashboard/")
    assert page.locator("svg.chart rect.chart-bar").count() >= 2
    assert page.get_by_role("img", name="Beds taken tonight").is_visible()


def test_the_caseworkers_pages_are_accessible(page, caseworker, coordinator, case):
    shelter = a_house(coordinator)
    place(case, shelter, coordinator, timezone.localdate())
    sign_in(page, caseworker)
    for path in (
        "/shelters/",
        f"/shelters/{shelter.pk}/",
        f"/cases/{case.reference}/",
        f"/shelters/cases/{case.reference}/request/",
    ):
        visit(page, path)
