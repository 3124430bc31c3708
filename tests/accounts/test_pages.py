"""The layout: navigation per role, languages, and error pages that reveal nothing."""

from __future__ import annotations

import logging
from html.parser import HTMLParser

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.urls import path

from config import urls as site_urls

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
        "operations:retention",
        "accounts:lockdown",
    }
    admin = client_for(administrator)
    admin_page = admin.get("/accounts/start/", follow=True)
    assert admin_page.status_code == 200
    assert admin_page.request["PATH_INFO"] == "/admin/"
    assert nav_links(admin_page) == {"admin:index", "accounts:lockdown"}


def test_the_administrator_is_shown_administration_and_sessions_only(client_for, administrator):
    page = client_for(administrator).get("/accounts/lockdown/")
    assert page.status_code == 200
    assert nav_hrefs(page) == ["/admin/", "/accounts/lockdown/"]
    body = page.content.decode()
    for other_roles_page in ("/dashboard/", "/cases/", "/shelters/", "/audit/"):
        assert f'href="{other_roles_page}' not in body


class _Tags(HTMLParser):
    """The start tags of a page in order, with their attributes; the links of the main navigation and of
    the main content."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.nav_hrefs: list[str] = []
        self.main_hrefs: list[str] = []
        self._in_nav = self._in_main = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "nav" and attributes.get("aria-label") == "Main":
            self._in_nav = True
        elif tag == "main":
            self._in_main = True
        elif tag == "a" and self._in_nav:
            self.nav_hrefs.append(attributes.get("href") or "")
        elif tag == "a" and self._in_main:
            self.main_hrefs.append(attributes.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False
        elif tag == "main":
            self._in_main = False


def parsed(response) -> _Tags:
    parser = _Tags()
    parser.feed(response.content.decode())
    return parser


def nav_hrefs(response) -> list[str]:
    return parsed(response).nav_hrefs


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


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "caseworker"])
def test_the_skip_link_comes_first_and_leads_to_the_main_content(client_for, caseworker, signed_in):
    client = client_for(caseworker if signed_in else None)
    page = client.get("/cases/" if signed_in else "/accounts/login/")
    assert page.status_code == 200
    tags = parsed(page).tags
    body_at = next(n for n, (tag, _attrs) in enumerate(tags) if tag == "body")
    first_link_tag, first_link = next((tag, attrs) for tag, attrs in tags[body_at:] if tag in {"a", "button", "input"})
    assert first_link_tag == "a"
    assert "skip-link" in (first_link.get("class") or "").split()
    target = (first_link.get("href") or "").removeprefix("#")
    assert target
    targets = [tag for tag, attrs in tags if attrs.get("id") == target]
    assert targets == ["main"]
    assert "Skip to main content" in page.content.decode()


SECRET_DETAIL = "rule-7 in shelters/secret_module.py"

REVEALING = ("Traceback", "URLconf", "Request Method", "Exception Value", ".py", "/work/", "site-packages")


def assert_reveals_nothing(response) -> str:
    body = response.content.decode()
    for marker in (*REVEALING, SECRET_DETAIL):
        assert marker not in body
    return body


def assert_has_a_way_back(response) -> None:
    # In the page's own content, not only the header's brand link.
    assert "/accounts/start/" in parsed(response).main_hrefs
    assert "Back to your start page" in response.content.decode()


def test_the_refused_page_reveals_nothing_and_offers_a_way_back(client_for, caseworker):
    response = client_for(caseworker).get("/dashboard/")
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    body = assert_reveals_nothing(response)
    assert "Not allowed" in body
    assert "Your role does not allow this." in body
    assert_has_a_way_back(response)


@pytest.mark.urls("tests.accounts.test_pages")
def test_the_refused_page_never_shows_why_the_code_refused(client_for, caseworker):
    response = client_for(caseworker).get("/refuse/")
    assert response.status_code == 403
    assert "Not allowed" in assert_reveals_nothing(response)
    assert_has_a_way_back(response)


def test_the_bad_request_page_reveals_nothing_and_offers_a_way_back(client):
    # A Host header that is not ours is the commonest bad request.
    response = client.get("/accounts/login/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert response.templates[0].name == "400.html"
    body = assert_reveals_nothing(response)
    assert "Bad request" in body
    assert "attacker.example" not in body
    assert_has_a_way_back(response)


@pytest.mark.urls("tests.accounts.test_pages")
def test_the_bad_request_page_never_shows_what_was_wrong(client):
    response = client.get("/bad/")
    assert response.status_code == 400
    assert "Bad request" in assert_reveals_nothing(response)
    assert_has_a_way_back(response)


def boom(request):
    raise RuntimeError("kaboom with some detail")


def refuse(request):
    raise PermissionDenied(SECRET_DETAIL)


def bad(request):
    raise BadRequest(SECRET_DETAIL)


# The site's own URLs too, so that the error pages' links resolve.
urlpatterns = [path("boom/", boom), path("refuse/", refuse), path("bad/", bad), *site_urls.urlpatterns]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
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
