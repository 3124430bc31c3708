"""The layout: navigation per role, languages, and error pages that reveal nothing."""

from __future__ import annotations

import logging

import pytest
from django.urls import path

pytestmark = pytest.mark.django_db


def nav_links(response) -> set[str]:
    return {url for url, _label in response.context["nav_items"]}


def test_each_role_sees_its_own_navigation(client_for, caseworker, coordinator, lawyer, administrator):
    assert nav_links(client_for(caseworker).get("/cases/")) == {"cases:list"}
    assert nav_links(client_for(lawyer).get("/cases/")) == {"cases:list"}
    assert nav_links(client_for(coordinator).get("/dashboard/")) == {
        "shelters:dashboard",
        "cases:list",
        "shelters:list",
        "money:funds",
        "money:rates",
        "audit:log",
        "accounts:lockdown",
    }
    admin_page = client_for(administrator).get("/accounts/start/", follow=True)
    assert admin_page.status_code == 200


def test_pages_of_other_roles_are_refused(client_for, caseworker, lawyer):
    assert client_for(caseworker).get("/dashboard/").status_code == 403
    assert client_for(lawyer).get("/shelters/").status_code == 403
    assert client_for(caseworker).get("/admin/").status_code == 302  # not staff: the admin's own refusal


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_safe_house_page_replaced_its_placeholder(client_for, coordinator):
    response = client_for(coordinator).get("/shelters/")
    assert response.status_code == 200
    assert b"Nothing is here yet" not in response.content


def test_the_interface_switches_to_russian(client_for, caseworker):
    client = client_for(caseworker)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/cases/"})
    assert response.status_code == 302
    page = client.get("/cases/")
    assert page.status_code == 200
    assert '<html lang="ru">' in page.content.decode()
    assert "Выйти" in page.content.decode()


def test_the_not_found_page_reveals_nothing(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Not found" in body
    assert "Traceback" not in body
    assert "URLconf" not in body
    assert "cases/" not in body  # no list of the site's URL patterns


def boom(request):
    raise RuntimeError("kaboom with some detail")


urlpatterns = [path("boom/", boom)]
handler500 = "accounts.views.server_error"


@pytest.mark.urls("tests.accounts.test_pages")
def test_a_server_error_shows_a_request_id_and_logs_it_without_form_values(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post("/boom/", {"legal_name": "Zarina Fictional-Person"})
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert request_id in response.content.decode()
    assert "kaboom" not in response.content.decode()
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    assert records[0].request_id == request_id
    logged = caplog.text
    assert "Zarina" not in logged


def test_no_error_is_mailed(settings):
    assert settings.ADMINS == []
    assert "mail_admins" not in str(settings.LOGGING)
