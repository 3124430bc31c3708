"""Retention: cases closed as resettled longer ago than N days are listed and erased; figures stay."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from cases.models import Case, Expense, Stage
from operations.retention import due_for_erasure
from vault.crypto import KeyDestroyed
from vault.keys import key_scope

pytestmark = pytest.mark.django_db


def resettle(case: Case, *, days_ago: int) -> None:
    """Marks the case resettled that many days ago and closes it (each row saved, so history is kept)."""
    ended = timezone.localdate() - datetime.timedelta(days=days_ago)
    with key_scope():
        for stage in case.stages.all():
            stage.status = Stage.Status.DONE
            stage.started_on = ended - datetime.timedelta(days=30)
            stage.ended_on = ended
            stage.save()
        case.status = Case.Status.CLOSED
        case.save()


@pytest.fixture
def old_case(open_case, caseworker, settings):
    settings.PASSAGE_RETENTION_DAYS = 365
    case = open_case(caseworker)
    resettle(case, days_ago=400)
    return case


def test_only_cases_resettled_longer_ago_than_the_period_are_due(old_case, open_case, caseworker):
    recent = open_case(caseworker)
    resettle(recent, days_ago=30)
    still_open = open_case(caseworker)
    assert list(due_for_erasure()) == [old_case]
    assert recent not in due_for_erasure() and still_open not in due_for_erasure()


def test_a_coordinator_sees_the_list_and_erases_with_the_reference_typed(client_for, coordinator, old_case):
    client = client_for(coordinator)
    page = client.get("/operations/retention/")
    assert page.status_code == 200
    assert old_case.reference in page.content.decode()

    wrong = client.post(f"/operations/retention/{old_case.reference}/erase/", {"confirm": "EV-0000-0000"})
    assert wrong.status_code == 302
    assert not Case.objects.get(pk=old_case.pk).is_erased

    client.post(f"/operations/retention/{old_case.reference}/erase/", {"confirm": old_case.reference})
    erased = Case.objects.get(pk=old_case.pk)
    assert erased.is_erased
    assert erased.legal_name is None
    with key_scope(), pytest.raises(KeyDestroyed):
        erased.history.order_by("history_id").first().legal_name
    assert old_case not in client.get("/operations/retention/").context["due"]


def test_erasure_keeps_the_anonymous_figures(client_for, coordinator, caseworker, old_case):
    from cases.money import ExpenseValues, expense_add

    values = ExpenseValues(
        stage=Stage.Kind.FOOD,
        amount=Decimal("120.50"),
        currency="EUR",
        rate_to_eur=Decimal("1"),
        spent_on=timezone.localdate() - datetime.timedelta(days=500),
        description="Fictional groceries",
        state=Expense.State.PAID,
    )
    with key_scope():
        expense_add(case=old_case, user=caseworker, values=values)
    before = Expense.objects.filter(case=old_case).aggregate(total=Sum("amount_eur"))["total"]
    statuses = sorted(old_case.stages.values_list("kind", "status"))
    client_for(coordinator).post(f"/operations/retention/{old_case.reference}/erase/", {"confirm": old_case.reference})
    assert Expense.objects.filter(case=old_case).aggregate(total=Sum("amount_eur"))["total"] == before
    assert sorted(old_case.stages.values_list("kind", "status")) == statuses
    assert Case.objects.filter(pk=old_case.pk, intake_date=old_case.intake_date).exists()


def test_a_case_that_is_not_due_cannot_be_erased_here(client_for, coordinator, open_case, caseworker):
    case = open_case(caseworker)
    client_for(coordinator).post(f"/operations/retention/{case.reference}/erase/", {"confirm": case.reference})
    assert not Case.objects.get(pk=case.pk).is_erased


@pytest.mark.parametrize(("persona", "status"), [("caseworker", 403), ("lawyer", 403), ("administrator", 403)])
def test_only_coordinators_see_and_erase(request, client_for, old_case, persona, status):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/operations/retention/").status_code == status
    client.post(f"/operations/retention/{old_case.reference}/erase/", {"confirm": old_case.reference})
    assert not Case.objects.get(pk=old_case.pk).is_erased


def due_cases(open_case, caseworker, count: int) -> list[Case]:
    cases = []
    for n in range(count):
        case = open_case(caseworker)
        resettle(case, days_ago=400 + n)  # the longest resettled first on the page
        cases.append(case)
    return cases[::-1]


def test_the_list_is_paginated_not_cut_short(client_for, coordinator, open_case, caseworker, settings, monkeypatch):
    settings.PASSAGE_RETENTION_DAYS = 365
    monkeypatch.setattr("operations.views.RETENTION_PER_PAGE", 2)
    cases = due_cases(open_case, caseworker, 5)
    client = client_for(coordinator)
    first = client.get("/operations/retention/")
    assert [case.reference for case in first.context["due"]] == [case.reference for case in cases[:2]]
    text = " ".join(first.content.decode().split())
    assert "5 cases are due for erasure." in text
    assert "Page 1 of 3" in text
    assert 'href="?page=2"' in text
    last = client.get("/operations/retention/", {"page": 3})
    assert [case.reference for case in last.context["due"]] == [cases[4].reference]
    assert cases[4].reference in last.content.decode()
    # A page past the end, or not a number, shows a page rather than an error.
    assert client.get("/operations/retention/", {"page": "99"}).context["page"].number == 3
    assert client.get("/operations/retention/", {"page": "x"}).context["page"].number == 1


def test_the_list_runs_the_same_queries_for_few_or_many_cases(
    client_for, coordinator, open_case, caseworker, settings, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PASSAGE_RETENTION_DAYS = 365
    monkeypatch.setattr("operations.views.RETENTION_PER_PAGE", 10)
    client = client_for(coordinator)
    due_cases(open_case, caseworker, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/operations/retention/").status_code == 200
    due_cases(open_case, caseworker, 6)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/operations/retention/").context["due"]) == 8
    assert len(many) == len(few)


def test_coordinators_find_retention_in_the_navigation(client_for, coordinator):
    page = client_for(coordinator).get("/dashboard/").content.decode()
    assert '<a href="/operations/retention/">Retention</a>' in page
    current = client_for(coordinator).get("/operations/retention/").content.decode()
    assert '<a href="/operations/retention/" aria-current="page">Retention</a>' in current


@pytest.mark.parametrize("persona", ["caseworker", "lawyer", "administrator"])
def test_nobody_else_has_it_in_their_navigation(request, client_for, persona):
    user = request.getfixturevalue(persona)
    page = client_for(user).get("/accounts/security/").content.decode()
    assert "/operations/retention/" not in page
