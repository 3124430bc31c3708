"""The access matrix: every URL of Passage x every persona x every method, against one table.

The URL list comes from the URL configuration itself, so a new page that is
not in EXPECTED fails this test until somebody decides, here, who may open it.
Each request runs in a savepoint that is rolled back, so every request meets
the same world. Coordinators' and administrators' responses are scanned for
the sealed values of the case: they must never receive one.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import SEALED_VALUES
from tests.matrix_world import PERSONAS, build_world

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "static/")  # Django's own admin is guarded by is_staff and the second factor


def url_names() -> list[tuple[str, list[str]]]:
    """(name, parameters) of every named URL pattern of the project."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(SKIPPED_PREFIXES):
                    continue
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield namespace + pattern.name, list(pattern.pattern.regex.groupindex)

    return sorted({(name, tuple(params)) for name, params in walk(get_resolver().url_patterns)})


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


def url_for(world, name: str, params) -> str:
    specific = world.values.get(name, {})
    kwargs = {param: specific.get(param, world.values.get(param)) for param in params}
    return reverse(name, kwargs=kwargs)


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
}


# Whose responses must never carry a sealed value of the case (no break-glass is open in this world).
NO_SEALED_VALUES = {"coordinator", "administrator", "other_caseworker", "other_lawyer", "anonymous"}


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_every_url_is_in_the_table():
    """A page nobody has decided about cannot ship: add it to EXPECTED above."""
    names = {name for name, _params in url_names()}
    assert sorted(names - set(EXPECTED)) == [], "URLs missing from the access matrix"
    assert sorted(set(EXPECTED) - names) == [], "the matrix names URLs that no longer exist"


def test_every_url_answers_every_persona_as_the_table_says(world, client_for):
    mismatches, leaks = [], []
    for name, params in url_names():
        if name not in EXPECTED:
            continue
        url = url_for(world, name, params)
        for method, statuses in EXPECTED[name].items():
            for persona, expected in zip(PERSONAS, statuses, strict=True):
                response = request(client_for(world.users[persona]), method, url)
                if response.status_code != expected:
                    mismatches.append(f"{method} {url} as {persona}: {response.status_code}, expected {expected}")
                if persona in NO_SEALED_VALUES:
                    body = body_of(response)
                    leaks += [
                        f"{method} {url} as {persona}: {value!r}" for value in SEALED_VALUES.values() if value in body
                    ]
    assert mismatches == []
    assert leaks == []
    # The scan can see a sealed value when one is there: the assigned caseworker's page has them.
    own_page = request(client_for(world.users["caseworker"]), "GET", world.case.get_absolute_url())
    assert SEALED_VALUES["legal_name"] in body_of(own_page)
