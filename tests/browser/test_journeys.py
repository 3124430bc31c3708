"""The journeys people make through Passage, in Chromium, each page checked with axe-core.

A caseworker's intake, stage update, expense and upload; a coordinator placing
a case and reading the dashboard; a lawyer exporting a summary and downloading
a document; the Russian interface; and ending sessions (a lost phone, and a
coordinator's lockdown of one user).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from accounts.roles import Role
from tests.browser.conftest import assert_accessible, sign_in_with_code
from tests.conftest import PASSWORD, SEALED_VALUES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png_file(tmp_path):
    path = tmp_path / "fictional-photo.png"
    image = Image.new("RGB", (40, 30), (30, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_caseworkers_intake_stage_expense_and_upload(new_page, caseworker, tmp_path):
    page = new_page()
    sign_in_with_code(page, caseworker, PASSWORD)
    assert_accessible(page)

    page.get_by_role("link", name="Open a new case").click()
    assert_accessible(page)
    page.get_by_label("Legal name").fill(SEALED_VALUES["legal_name"])
    page.get_by_label("Chosen name").fill(SEALED_VALUES["chosen_name"])
    page.get_by_label("Phone").fill(SEALED_VALUES["phone"])
    page.get_by_label("Persecution narrative").fill(SEALED_VALUES["narrative"])
    page.get_by_label("Risk").select_option("urgent")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/cases/EV-\d{4}-\d{4}/$"))
    assert page.get_by_text("is open").is_visible()
    assert_accessible(page)
    case_url = page.url

    food = page.locator("form", has=page.get_by_role("button", name="Save Food"))
    food.get_by_label("Status").select_option("in_progress")
    food.get_by_role("button", name="Save Food").click()
    page.wait_for_load_state()
    assert (
        page.locator("form", has=page.get_by_role("button", name="Save Food")).get_by_label("Status").input_value()
        == "in_progress"
    )

    expense = page.locator("form", has=page.get_by_role("button", name="Record"))
    expense.get_by_label("Stage").select_option("food")
    expense.get_by_label("Amount").fill("45.50")
    expense.get_by_label("Currency").select_option("EUR")
    expense.get_by_label("What it was for").fill("Fictional groceries for a week")
    expense.get_by_role("button", name="Record").click()
    page.wait_for_load_state()
    assert page.get_by_text("Fictional groceries for a week").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Upload a document").click()
    assert_accessible(page)
    page.get_by_label("File").set_input_files(str(png_file(tmp_path)))
    page.get_by_label("Title").fill("Fictional photo of the bruises")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(case_url + "*")
    assert page.get_by_text("Fictional photo of the bruises").is_visible()
    assert_accessible(page)


def test_a_coordinator_places_a_case_and_reads_the_dashboard(new_page, coordinator, caseworker, open_case):
    from shelters.services import shelter_create
    from vault.keys import key_scope

    case = open_case(caseworker)
    with key_scope():
        shelter_create(by=coordinator, data={"code_name": "Kestrel", "city": "Fictionburg", "capacity": 2})
    page = new_page()
    sign_in_with_code(page, coordinator, PASSWORD)
    assert_accessible(page)  # the dashboard, the coordinator's start page

    page.goto(f"/cases/{case.reference}/")
    assert_accessible(page)
    assert SEALED_VALUES["legal_name"] not in page.content()
    place = page.locator("form", has=page.get_by_role("button", name="Place"))
    houses = place.get_by_label("Safe house")
    houses.select_option(label=next(text for text in houses.locator("option").all_inner_texts() if "Kestrel" in text))
    place.get_by_role("button", name="Place").click()
    page.wait_for_load_state()
    assert page.get_by_text("Kestrel").first.is_visible()

    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert page.get_by_role("heading", name="Safe houses").is_visible()
    occupancy = page.locator("table", has=page.get_by_text("Kestrel"))
    assert "1" in occupancy.inner_text()


def test_a_lawyer_exports_a_summary_and_downloads_a_document(new_page, lawyer, caseworker, open_case, tmp_path):
    from documents.content import check_upload
    from documents.services import case_share, document_upload
    from vault.keys import key_scope

    case = open_case(caseworker)
    with key_scope():
        case_share(case=case, lawyer=lawyer, by=caseworker)
        document_upload(
            case=case,
            user=caseworker,
            checked=check_upload(png_file(tmp_path).read_bytes()),
            kind="photo",
            title="Fictional evidence",
        )
    page = new_page()
    sign_in_with_code(page, lawyer, PASSWORD)
    assert_accessible(page)  # the lawyer's list of shared cases
    page.get_by_role("link", name=case.reference).click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert SEALED_VALUES["narrative"] in page.content()

    with page.expect_download() as summary:
        page.get_by_role("button", name="Download the summary").click()
    assert summary.value.suggested_filename.startswith(case.reference)
    assert summary.value.suggested_filename.endswith(".pdf")
    assert Path(summary.value.path()).read_bytes()[:5] == b"%PDF-"

    with page.expect_download() as document:
        page.get_by_role("link", name="Download").first.click()
    assert document.value.suggested_filename == f"{case.reference}-1.png"
    assert Path(document.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_russian_interface(new_page, caseworker, case):
    page = new_page(locale="ru-RU")
    page.goto("/accounts/login/")
    assert page.get_by_role("heading", name="Вход").is_visible()
    assert_accessible(page)
    sign_in_with_code_ru(page, caseworker)
    assert page.get_by_role("heading", name="Мои дела").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name=case.reference).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("link", name="Изменить").is_visible()
    assert_accessible(page)
    # And back to English with the switch in the header.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Edit").is_visible()


def sign_in_with_code_ru(page, user) -> None:
    from django_otp.oath import TOTP

    from tests.conftest import confirmed_device

    device = confirmed_device(user)
    page.get_by_label("Имя пользователя").fill(user.username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Продолжить").click()
    page.wait_for_url("**/accounts/verify/**")
    assert_accessible(page)
    page.get_by_label("Код").fill(f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}")
    page.get_by_role("button", name="Проверить").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def test_a_lost_phone_ends_every_session_from_the_laptop(new_page, caseworker, case):
    from accounts.services import replace_recovery_codes

    recovery = replace_recovery_codes(user=caseworker)
    phone, laptop = new_page(), new_page()
    sign_in_with_code(phone, caseworker, PASSWORD)
    sign_in_with_code(laptop, caseworker, PASSWORD, code=recovery[0])  # the phone's code was just used

    laptop.get_by_role("link", name="Lost a device?").click()
    laptop.wait_for_url("**/accounts/security/")
    assert_accessible(laptop)
    laptop.get_by_role("button", name="End all my sessions").click()
    laptop.wait_for_url("**/accounts/login/")

    phone.goto(f"/cases/{case.reference}/")
    assert "/accounts/login/" in phone.url
    assert SEALED_VALUES["legal_name"] not in phone.content()


def test_a_coordinator_ends_a_users_sessions_and_both_factors_are_needed_again(new_page, coordinator, caseworker, case):
    worker, boss = new_page(), new_page()
    sign_in_with_code(worker, caseworker, PASSWORD)
    sign_in_with_code(boss, coordinator, PASSWORD)

    boss.get_by_role("link", name="Sessions").click()
    assert_accessible(boss)
    one = boss.locator("form", has=boss.get_by_role("button", name="End this user's sessions"))
    one.get_by_label("User").select_option(caseworker.username)
    one.get_by_role("button", name="End this user's sessions").click()
    boss.wait_for_load_state()
    assert boss.get_by_text(f"Every session of {caseworker.username} has ended.").is_visible()

    worker.goto("/cases/")
    assert "/accounts/login/" in worker.url
    worker.get_by_label("Username").fill(caseworker.username)
    worker.get_by_label("Password").fill(PASSWORD)
    worker.get_by_role("button", name="Continue").click()
    worker.wait_for_url("**/accounts/verify/**")  # the second factor again
    worker.goto("/cases/")
    assert "/accounts/verify/" in worker.url


def test_lockdown_from_the_browser_ends_everyone(new_page, coordinator, caseworker, make_user):
    lawyer_user = make_user("browser_lawyer", Role.LAWYER)
    worker, lawyer_page, boss = new_page(), new_page(), new_page()
    sign_in_with_code(worker, caseworker, PASSWORD)
    sign_in_with_code(lawyer_page, lawyer_user, PASSWORD)
    sign_in_with_code(boss, coordinator, PASSWORD)
    boss.goto("/accounts/lockdown/")
    boss.get_by_label("Type LOCKDOWN to end every session of every user").fill("LOCKDOWN")
    boss.get_by_role("button", name="End every session").click()
    boss.wait_for_url("**/accounts/login/")
    for other in (worker, lawyer_page):
        other.goto("/cases/")
        assert "/accounts/login/" in other.url
