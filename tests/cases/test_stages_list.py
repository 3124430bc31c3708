"""The case list shows each case's current stage and its flags, in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.money import ExpenseValues, expense_add
from cases.stages import PaperValues, StageChange, paper_add, stage_update
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def progress(case, user, kind, status, **values):
    with key_scope():
        stage_update(
            case=case,
            kind=kind,
            user=user,
            expected_version=case.stages.get(kind=kind).version,
            change=StageChange(status, **values),
        )


def rows(response) -> dict[str, object]:
    return {case.reference: case for case in response.context["page"].object_list}


def test_each_case_shows_its_current_stage_and_flags(client_for, caseworker, coordinator, open_case):
    fresh, moving, troubled = open_case(caseworker), open_case(caseworker), open_case(caseworker)
    progress(moving, caseworker, "shelter", "in_progress")
    progress(moving, caseworker, "travel_documents", "in_progress")
    progress(troubled, caseworker, "evacuation", "blocked", blocked_reason="security", due_on=TODAY - DAY)
    with key_scope():
        paper_add(
            case=troubled,
            user=caseworker,
            values=PaperValues(kind="visa", status="obtained", obtained_on=TODAY - DAY, expires_on=TODAY + 10 * DAY),
        )
        expense_add(
            case=troubled,
            user=caseworker,
            values=ExpenseValues(stage="evacuation", amount=Decimal("4500"), currency="EUR", spent_on=TODAY),
            confirmed_eur=Decimal("4500.00"),
        )
    for user in (caseworker, coordinator):
        response = client_for(user).get("/cases/")
        listed = rows(response)
        assert [listed[case.reference].current_stage for case in (fresh, moving, troubled)] == [
            "shelter",
            "travel_documents",
            "evacuation",
        ]
        assert listed[troubled.reference].has_overdue_stage and listed[troubled.reference].has_blocked_stage
        assert listed[troubled.reference].has_expiring_paper
        assert not listed[fresh.reference].has_overdue_stage
        body = response.content.decode()
        for label in ("Current stage", "Travel documents", "overdue", "blocked", "paper expiring", "over budget"):
            assert label in body


def test_a_lawyer_sees_stages_in_the_list_but_no_money_flag(client_for, caseworker, lawyer, case):
    try:
        from documents.services import case_share
    except ImportError:
        from guardian.shortcuts import assign_perm

        assign_perm("cases.view_case", lawyer, case)
    else:
        with key_scope():
            case_share(case=case, lawyer=lawyer, by=caseworker)
    with key_scope():
        expense_add(
            case=case,
            user=caseworker,
            values=ExpenseValues(stage="food", amount=Decimal("4500"), currency="EUR", spent_on=TODAY),
            confirmed_eur=Decimal("4500.00"),
        )
    response = client_for(lawyer).get("/cases/")
    assert "Shelter" in response.content.decode()
    assert "over budget" not in response.content.decode()
    assert not hasattr(rows(response)[case.reference], "spent_eur")


def count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/").status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("persona", ["caseworker", "coordinator"])
def test_stages_and_flags_add_no_query_per_case(request, client_for, caseworker, open_case, persona):
    client = client_for(request.getfixturevalue(persona))
    cases = [open_case(caseworker) for _ in range(3)]
    client.get("/cases/")
    few = count(client)
    for number in range(12):
        case = open_case(caseworker)
        progress(case, caseworker, "shelter", "in_progress", due_on=TODAY - DAY if number % 2 else None)
    progress(cases[0], caseworker, "travel_documents", "blocked", blocked_reason="legal")
    assert count(client) == few
