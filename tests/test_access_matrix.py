"""The access matrix: every URL of Passage x every persona x every method, against one table.

The URL list comes from the URL configuration itself: every pattern, Django's admin included,
named ones by their name and unnamed ones by their route. A new page that is not in EXPECTED
fails this test until somebody decides, here, who may open it. Each request runs in a savepoint
that is rolled back, so every request meets the same world. Responses are scanned for what their
persona must never receive: the sealed values of the case, the other sealed values of the world,
and anybody else's second-factor secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import SEALED_VALUES, sign_in
from tests.matrix_world import PERSONAS, WRONG_PASSWORD, build_world

pytestmark = pytest.mark.django_db


def url_patterns() -> list[tuple[str, str, tuple[str, ...]]]:
    """(key, route, parameters) of every URL pattern of the project: the key of a named pattern is its
    name with its namespaces, that of an unnamed one "/" and its route."""

    def walk(patterns, namespace: str = "", prefix: str = "", params: tuple[str, ...] = ()) -> Iterator:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            inner_params = params + tuple(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, inner, route, inner_params)
            elif isinstance(pattern, URLPattern):
                key = namespace + pattern.name if pattern.name else "/" + route
                yield key, route, inner_params

    return sorted(walk(get_resolver().url_patterns))


def url_keys() -> list[str]:
    return [key for key, _route, _params in url_patterns()]


def table_differences() -> tuple[list[str], list[str]]:
    """URL patterns missing from EXPECTED, and rows of EXPECTED that no pattern has any more."""
    keys = url_keys()
    return sorted(set(keys) - set(EXPECTED)), sorted(set(EXPECTED) - set(keys))


class Rollback(Exception):
    pass


def request(client, method: str, url: str):
    response = None
    try:
        with transaction.atomic():
            response = getattr(client, method.lower())(url)
            raise Rollback
    except Rollback:
        pass
    return response


@pytest.fixture
def world(request, make_user, open_case, settings, tmp_path):
    from accounts.roles import Role

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "vault.storage.SealedFileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    settings.PASSAGE_EXPORT_RUNNER = "inline"
    users = {
        "anonymous": None,
        "caseworker": make_user("m_caseworker", Role.CASEWORKER),
        "other_caseworker": make_user("m_other_caseworker", Role.CASEWORKER),
        "coordinator": make_user("m_coordinator", Role.COORDINATOR),
        "lawyer": make_user("m_lawyer", Role.LAWYER),
        "other_lawyer": make_user("m_other_lawyer", Role.LAWYER),
        "administrator": make_user("m_administrator", Role.ADMINISTRATOR),
    }
    return build_world(users, open_case)


def _fill(route: str, kwargs: dict) -> str:
    """The URL of an unnamed pattern (which reverse() cannot build): its route with the values put in."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(kwargs[match.group(1)]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(kwargs[match.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


def url_for(world, key: str, params, route: str = "") -> str:
    specific = world.values.get(key, {})
    kwargs = {param: specific.get(param, world.values.get(param)) for param in params}
    return _fill(route, kwargs) if key.startswith("/") else reverse(key, kwargs=kwargs)


def staff_only(get: int, post: int) -> dict[str, tuple[int, ...]]:
    """An admin page: the admin's own refusal (a redirect to its sign-in) for everybody but the administrator."""
    return {"GET": (*[302] * (len(PERSONAS) - 1), get), "POST": (*[302] * (len(PERSONAS) - 1), post)}


# Who gets what. Statuses in the order of PERSONAS:
# anonymous, caseworker, other_caseworker, coordinator, lawyer, other_lawyer, administrator
EXPECTED: dict[str, dict[str, tuple[int, ...]]] = {
    "accounts:lockdown": {"GET": (302, 403, 403, 200, 403, 403, 200), "POST": (302, 403, 403, 200, 403, 403, 200)},
    "accounts:login": {"GET": (200, 302, 302, 302, 302, 302, 302), "POST": (200, 302, 302, 302, 302, 302, 302)},
    "accounts:logout": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 302, 302, 302, 302, 302, 302)},
    "accounts:security": {"GET": (302, 200, 200, 200, 200, 200, 200), "POST": (302, 302, 302, 302, 302, 302, 302)},
    "accounts:setup": {"GET": (302, 302, 302, 302, 302, 302, 302), "POST": (302, 302, 302, 302, 302, 302, 302)},
    "accounts:start": {"GET": (302, 302, 302, 302, 302, 302, 302), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "accounts:verify": {"GET": (302, 302, 302, 302, 302, 302, 302), "POST": (302, 302, 302, 302, 302, 302, 302)},
    "audit:log": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "cases:assign": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 403, 403, 302, 403, 403, 403)},
    "cases:budget": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "cases:create": {"GET": (302, 200, 200, 403, 403, 403, 403), "POST": (302, 200, 200, 403, 403, 403, 403)},
    "cases:detail": {"GET": (302, 200, 404, 200, 200, 404, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "cases:edit": {"GET": (302, 200, 404, 403, 403, 403, 403), "POST": (302, 200, 404, 403, 403, 403, 403)},
    "cases:expense_add": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 200, 404, 403, 403, 403, 403)},
    "cases:expense_delete": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 302, 404, 403, 403, 403, 403)},
    "cases:expense_edit": {"GET": (302, 200, 404, 403, 403, 403, 403), "POST": (302, 200, 404, 403, 403, 403, 403)},
    "cases:expense_paid": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 302, 404, 403, 403, 403, 403)},
    "cases:expense_reverse": {"GET": (302, 200, 404, 403, 403, 403, 403), "POST": (302, 200, 404, 403, 403, 403, 403)},
    "cases:history": {"GET": (302, 200, 404, 200, 200, 404, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "cases:list": {"GET": (302, 200, 200, 200, 200, 200, 403), "POST": (302, 200, 200, 200, 200, 200, 403)},
    "cases:paper_add": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 200, 404, 403, 403, 403, 403)},
    "cases:paper_delete": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 302, 404, 403, 403, 403, 403)},
    "cases:paper_update": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 200, 404, 403, 403, 403, 403)},
    "cases:stage_update": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 200, 404, 403, 403, 403, 403)},
    "cases:unassign": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 403, 403, 302, 403, 403, 403)},
    "documents:download": {"GET": (302, 200, 404, 404, 200, 404, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "documents:export": {"GET": (302, 403, 403, 403, 200, 404, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "documents:export_create": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (302, 403, 403, 403, 302, 302, 403),
    },
    "documents:export_download": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (302, 403, 403, 403, 302, 404, 403),
    },
    "documents:remove": {"GET": (302, 200, 404, 403, 403, 403, 403), "POST": (302, 302, 404, 403, 403, 403, 403)},
    "documents:share": {"GET": (302, 200, 404, 200, 403, 403, 403), "POST": (302, 200, 404, 200, 403, 403, 403)},
    "documents:summary": {"GET": (302, 200, 404, 404, 200, 404, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "documents:unshare": {"GET": (405, 405, 405, 405, 405, 405, 405), "POST": (302, 302, 404, 302, 403, 403, 403)},
    "documents:upload": {"GET": (302, 200, 404, 403, 403, 403, 403), "POST": (302, 200, 404, 403, 403, 403, 403)},
    "money:fund_edit": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "money:funds": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "money:rates": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "operations:break_glass": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "operations:retention": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "operations:retention_erase": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (302, 403, 403, 302, 403, 403, 403),
    },
    "robots_txt": {"GET": (200, 200, 200, 200, 200, 200, 200), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "set_language": {"GET": (302, 302, 302, 302, 302, 302, 302), "POST": (302, 302, 302, 302, 302, 302, 302)},
    "shelters:assignments": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 302, 403, 403, 403)},
    "shelters:create": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "shelters:dashboard": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "shelters:decline": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "shelters:detail": {"GET": (302, 200, 200, 200, 403, 403, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "shelters:donor_report_csv": {
        "GET": (302, 403, 403, 200, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "shelters:donor_report_pdf": {
        "GET": (302, 403, 403, 200, 403, 403, 403),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "shelters:edit": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "shelters:end": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "shelters:erase": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "shelters:grant": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "shelters:keep_apart": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "shelters:keep_apart_remove": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (302, 403, 403, 302, 403, 403, 403),
    },
    "shelters:list": {"GET": (302, 200, 200, 200, 403, 403, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    "shelters:move": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "shelters:place": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (302, 403, 403, 200, 403, 403, 403)},
    "shelters:request": {"GET": (302, 200, 404, 403, 403, 403, 403), "POST": (302, 200, 404, 403, 403, 403, 403)},
    "shelters:request_withdraw": {
        "GET": (405, 405, 405, 405, 405, 405, 405),
        "POST": (302, 302, 404, 403, 403, 403, 403),
    },
    "shelters:requests": {"GET": (302, 403, 403, 200, 403, 403, 403), "POST": (405, 405, 405, 405, 405, 405, 405)},
    # Unnamed patterns, by their route.
    "/": {"GET": (302, 302, 302, 302, 302, 302, 302), "POST": (302, 302, 302, 302, 302, 302, 302)},
    "/admin/login/": {"GET": (302, 302, 302, 302, 302, 302, 302), "POST": (302, 302, 302, 302, 302, 302, 302)},
    # Django's admin. The administrator holds accounts.view/add/change_user, auth.view_group and
    # axes.view/delete_accessattempt, and nothing else; everybody else is sent to sign in.
    "admin:index": staff_only(200, 200),
    "admin:login": {"GET": (302, 302, 302, 302, 302, 302, 302), "POST": (302, 302, 302, 302, 302, 302, 302)},
    "admin:logout": staff_only(405, 302),
    "admin:password_change": staff_only(200, 200),
    "admin:password_change_done": staff_only(200, 405),
    "admin:autocomplete": staff_only(403, 405),
    "admin:jsi18n": staff_only(200, 405),
    "admin:view_on_site": {"GET": (404,) * 7, "POST": (404,) * 7},  # shadowed: it would reveal references
    "/admin/r/<path:anything>": {"GET": (404,) * 7, "POST": (404,) * 7},
    "admin:app_list": staff_only(200, 200),
    "/admin/(?P<url>.*)$": staff_only(404, 404),
    "admin:accounts_user_changelist": staff_only(200, 200),
    "admin:accounts_user_add": staff_only(200, 200),
    "admin:accounts_user_change": staff_only(200, 200),
    "admin:accounts_user_delete": staff_only(403, 403),
    "admin:accounts_user_history": staff_only(200, 200),
    "admin:auth_user_password_change": staff_only(200, 200),
    "/admin/accounts/user/<path:object_id>/": staff_only(302, 302),
    "admin:auth_group_changelist": staff_only(200, 200),
    "admin:auth_group_add": staff_only(403, 403),
    "admin:auth_group_change": staff_only(200, 403),
    "admin:auth_group_delete": staff_only(403, 403),
    "admin:auth_group_history": staff_only(200, 200),
    "/admin/auth/group/<path:object_id>/": staff_only(302, 302),
    "admin:axes_accessattempt_changelist": staff_only(200, 200),
    "admin:axes_accessattempt_add": staff_only(403, 403),
    "admin:axes_accessattempt_change": staff_only(200, 403),
    "admin:axes_accessattempt_delete": staff_only(200, 200),  # a POST without "post" asks again
    "admin:axes_accessattempt_history": staff_only(200, 200),
    "/admin/axes/accessattempt/<path:object_id>/": staff_only(302, 302),
    "admin:axes_accesslog_changelist": staff_only(403, 403),
    "admin:axes_accesslog_add": staff_only(403, 403),
    "admin:axes_accesslog_change": staff_only(403, 403),
    "admin:axes_accesslog_delete": staff_only(403, 403),
    "admin:axes_accesslog_history": staff_only(403, 403),
    "/admin/axes/accesslog/<path:object_id>/": staff_only(302, 302),
    "admin:axes_accessfailurelog_changelist": staff_only(403, 403),
    "admin:axes_accessfailurelog_add": staff_only(403, 403),
    "admin:axes_accessfailurelog_change": staff_only(403, 403),
    "admin:axes_accessfailurelog_delete": staff_only(403, 403),
    "admin:axes_accessfailurelog_history": staff_only(403, 403),
    "/admin/axes/accessfailurelog/<path:object_id>/": staff_only(302, 302),
}


# Whose responses must never carry a sealed value of the case (no break-glass is open in this world).
NO_SEALED_VALUES = {"coordinator", "administrator", "other_caseworker", "other_lawyer", "anonymous"}
# Whose responses must never carry any other sealed value of the world either (a safe house's address,
# an expense's description, a paper's notes, a request's note), nor the password of a failed sign-in.
NOTHING_SEALED = {"administrator", "anonymous"}


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


# The admin's refusal is a redirect to its sign-in page, which sends everybody on to Passage's own;
# its sign-out page sends a stranger to its index instead, which refuses them in turn.
ADMIN_REFUSAL = {"admin:login": "/accounts/login/", "/admin/login/": "/accounts/login/", "admin:logout": "/admin/"}


def is_admin(key: str) -> bool:
    return key.startswith(("admin:", "/admin/"))


class Clients:
    """One signed-in client per persona, reused while a response leaves its cookies as they were: each
    request is rolled back, so the session behind them is too. One that signed out, changed language or
    got a new session key is replaced by a fresh one."""

    def __init__(self, world) -> None:
        self.world = world
        self.clients: dict[str, tuple[Client, dict[str, str]]] = {}

    def get(self, persona: str) -> Client:
        if persona not in self.clients:
            client = Client()
            user = self.world.users[persona]
            if user is not None:
                sign_in(client, user)
            self.clients[persona] = (client, self._cookies(client))
        return self.clients[persona][0]

    def after(self, persona: str) -> None:
        client, cookies = self.clients[persona]
        if self._cookies(client) != cookies:
            del self.clients[persona]

    @staticmethod
    def _cookies(client: Client) -> dict[str, str]:
        return {name: morsel.value for name, morsel in client.cookies.items()}


def forbidden_in(world, persona: str) -> list[str]:
    """What a response to this persona must never contain."""
    values = list(SEALED_VALUES.values()) if persona in NO_SEALED_VALUES else []
    if persona in NOTHING_SEALED:
        values += [*world.sealed, WRONG_PASSWORD]
    for other, secrets in world.second_factor_secrets.items():
        if other != persona:
            values += secrets
    return values


def test_every_url_is_in_the_table():
    """A page nobody has decided about cannot ship: add it to EXPECTED above."""
    missing, gone = table_differences()
    assert missing == [], "URLs missing from the access matrix"
    assert gone == [], "the matrix names URLs that no longer exist"
    keys = url_keys()
    assert len(keys) == len(set(keys)), "two patterns share a name: give one a name of its own"
    assert sum(is_admin(key) for key in keys) >= 40, "the admin's own pages are in the matrix too"


def test_a_pattern_that_is_not_in_the_table_is_reported(settings):
    """The check above sees an unnamed pattern as well as a named one: here, the site plus one page."""
    settings.ROOT_URLCONF = "tests.urlconf_with_an_extra_page"
    assert table_differences() == (["/an-unreviewed-page/"], [])


def test_every_url_answers_every_persona_as_the_table_says(world):
    clients = Clients(world)
    mismatches, wrong_refusals, leaks = [], [], []
    forbidden = {persona: forbidden_in(world, persona) for persona in PERSONAS}
    for key, route, params in url_patterns():
        if key not in EXPECTED:
            continue
        url = url_for(world, key, params, route)
        for method, statuses in EXPECTED[key].items():
            for persona, expected in zip(PERSONAS, statuses, strict=True):
                response = request(clients.get(persona), method, url)
                clients.after(persona)
                if response.status_code != expected:
                    mismatches.append(f"{method} {url} as {persona}: {response.status_code}, expected {expected}")
                if is_admin(key) and persona != "administrator" and response.status_code == 302:
                    to, location = ADMIN_REFUSAL.get(key, "/admin/login/"), response["Location"]
                    if location != to and not location.startswith(to + "?"):
                        wrong_refusals.append(f"{method} {url} as {persona}: to {response['Location']}")
                body = body_of(response)
                leaks += [f"{method} {url} as {persona}: {value!r}" for value in forbidden[persona] if value in body]
    assert mismatches == []
    assert wrong_refusals == []
    assert leaks == []
    # The scan can see what it looks for when it is there: the assigned caseworker's page has the sealed values.
    own_page = request(clients.get("caseworker"), "GET", world.case.get_absolute_url())
    assert SEALED_VALUES["legal_name"] in body_of(own_page)
    assert world.sealed[1] in body_of(own_page)  # the expense's description
