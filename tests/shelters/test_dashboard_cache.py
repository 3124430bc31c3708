"""The dashboard keeps its figures for a while (PASSAGE_DASHBOARD_CACHE_SECONDS), and recomputes them on demand."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import SEALED_VALUES

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


@pytest.fixture
def kept(settings):
    settings.PASSAGE_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def queries(client, url=URL) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_a_second_visit_reuses_the_figures_until_asked_to_recompute(
    kept, client_for, coordinator, caseworker, open_case
):
    client = client_for(coordinator)
    first = queries(client)
    urgent = open_case(caseworker, risk="urgent")
    assert urgent.reference not in client.get(URL).content.decode()  # the kept figures
    assert queries(client) < first - 10
    fresh = client.get(URL, {"fresh": "1"})
    assert fresh.context["alerts"]["urgent_unplaced"].references == [urgent.reference]
    assert urgent.reference in client.get(URL).content.decode()  # kept again, now with the new case


def test_each_language_keeps_its_own(kept, client_for, coordinator):
    client = client_for(coordinator)
    assert '<h2 id="shelters-heading">Safe houses</h2>' in client.get(URL).content.decode()
    client.post("/i18n/setlang/", {"language": "ru", "next": URL})
    assert '<h2 id="shelters-heading">Убежища</h2>' in client.get(URL).content.decode()


def test_what_is_kept_holds_no_sealed_value(kept, client_for, coordinator, case, shelter, today, place):
    from tests.shelters.conftest import SHELTER_SECRETS

    place(case, shelter, today)
    client_for(coordinator).get(URL)
    kept_values = repr([cache.get(key) for key in cache._cache])  # LocMemCache: pickled values
    for value in [*SEALED_VALUES.values(), *SHELTER_SECRETS.values()]:
        assert value not in kept_values
    assert b"Quuxhaus" not in b"".join(cache._cache.values())
