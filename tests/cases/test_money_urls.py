"""Every URL of stages and money, for every persona: who gets through, who gets 404, 403 or the sign-in page.

Refused requests change nothing; a case the user may not see answers 404 like a missing one; an object of
another case, reached through this case's URL, is not found either.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Expense, Fund, Stage, TravelPaper
from cases.money import ExpenseValues, FundValues, expense_add, fund_add
from cases.stages import PaperValues, paper_add
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERSONAS = ["caseworker", "other_caseworker", "coordinator", "lawyer", "other_lawyer", "administrator", None]


def share_with(case, lawyer, by) -> None:
    """Shares the case with the lawyer the way the app does (the documents feature), or by the bare grant."""
    try:
        from documents.services import case_share
    except ImportError:
        from guardian.shortcuts import assign_perm

        assign_perm("cases.view_case", lawyer, case)
        return
    with key_scope():
        case_share(case=case, lawyer=lawyer, by=by)


@pytest.fixture
def world(case, caseworker, coordinator, lawyer):
    """The case, shared with the lawyer, with a paper, a committed and a paid expense, and a fund."""
    share_with(case, lawyer, caseworker)
    with key_scope():
        paper = paper_add(case=case, user=caseworker, values=PaperValues(kind="visa", status="applied"))
        committed = expense_add(
            case=case,
            user=caseworker,
            values=ExpenseValues(stage="food", amount=Decimal("40"), currency="EUR", spent_on=TODAY, state="committed"),
        )
        paid = expense_add(
            case=case,
            user=caseworker,
            values=ExpenseValues(stage="food", amount=Decimal("60"), currency="EUR", spent_on=TODAY),
        )
    fund = fund_add(
        user=coordinator,
        values=FundValues(source="Fictional appeal", amount=Decimal("1000"), currency="EUR", received_on=TODAY),
    )
    return {"case": case, "paper": paper, "committed": committed, "paid": paid, "fund": fund}


def requests_of(world) -> dict[str, tuple[str, str, dict]]:
    ref = world["case"].reference
    paper, committed, paid = world["paper"].pk, world["committed"].pk, world["paid"].pk
    return {
        "stage_update": (
            "post",
            f"/cases/{ref}/stages/food/",
            {"food-version": "1", "food-status": "in_progress"},
        ),
        "paper_add": ("post", f"/cases/{ref}/papers/", {"paper-new-kind": "visa", "paper-new-status": "needed"}),
        "paper_update": (
            "post",
            f"/cases/{ref}/papers/{paper}/",
            {f"paper-{paper}-kind": "visa", f"paper-{paper}-status": "refused"},
        ),
        "paper_delete": ("post", f"/cases/{ref}/papers/{paper}/delete/", {}),
        "expense_add": (
            "post",
            f"/cases/{ref}/expenses/",
            {
                "expense-stage": "food",
                "expense-amount": "10",
                "expense-currency": "EUR",
                "expense-spent_on": TODAY.isoformat(),
                "expense-state": "paid",
            },
        ),
        "expense_edit": ("get", f"/cases/{ref}/expenses/{committed}/edit/", {}),
        "expense_paid": ("post", f"/cases/{ref}/expenses/{committed}/paid/", {f"paid-{committed}-paid_on": TODAY}),
        "expense_delete": ("post", f"/cases/{ref}/expenses/{committed}/delete/", {}),
        "expense_reverse": ("get", f"/cases/{ref}/expenses/{paid}/reverse/", {}),
        "budget": ("post", f"/cases/{ref}/budget/", {"budget-budget_eur": "5000", "budget-reason": "Flights"}),
        "funds": ("get", "/funds/", {}),
        "fund_edit": ("get", f"/funds/{world['fund'].pk}/", {}),
        "rates": ("get", "/rates/", {}),
    }


CASEWORK = {"caseworker": 302, "other_caseworker": 404, "coordinator": 403, "lawyer": 403}
CASEWORK |= {"other_lawyer": 403, "administrator": 403, None: 302}
EXPECTED = {name: dict(CASEWORK) for name in ("stage_update", "paper_add", "paper_update", "paper_delete")}
EXPECTED |= {name: dict(CASEWORK) for name in ("expense_add", "expense_paid", "expense_delete")}
EXPECTED |= {name: CASEWORK | {"caseworker": 200} for name in ("expense_edit", "expense_reverse")}
MANAGE = {"caseworker": 403, "other_caseworker": 403, "coordinator": 302, "lawyer": 403}
MANAGE |= {"other_lawyer": 403, "administrator": 403, None: 302}
EXPECTED["budget"] = MANAGE
COORDINATION = MANAGE | {"coordinator": 200}
EXPECTED |= dict.fromkeys(("funds", "fund_edit", "rates"), COORDINATION)


def state_of(case) -> tuple:
    case.refresh_from_db()
    return (
        sum(Stage.objects.filter(case=case).values_list("version", flat=True)),
        list(TravelPaper.objects.values_list("pk", "status")),
        list(Expense.objects.values_list("pk", "state")),
        case.budget_eur,
        Fund.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS, ids=[str(persona) for persona in PERSONAS])
@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_url_for_every_persona(request, client_for, world, name, persona):
    user = request.getfixturevalue(persona) if persona else None
    method, url, data = requests_of(world)[name]
    before = state_of(world["case"])
    response = getattr(client_for(user), method)(url, data)
    expected = EXPECTED[name][persona]
    assert response.status_code == expected, (name, persona, response.status_code)
    if persona is None:
        assert response["Location"].startswith("/accounts/login/")
    if expected != 302 or persona is None:
        assert state_of(world["case"]) == before  # a refused request changes nothing


def test_a_hidden_case_and_a_missing_one_answer_alike(client_for, other_caseworker, world):
    client = client_for(other_caseworker)
    for name, (method, url, data) in requests_of(world).items():
        if EXPECTED[name]["other_caseworker"] != 404:
            continue  # the coordinators' forms: refused by role first, 403 either way
        missing = url.replace(world["case"].reference, "EV-1999-9999")
        hidden_response = getattr(client, method)(url, data)
        missing_response = getattr(client, method)(missing, data)
        assert hidden_response.status_code == missing_response.status_code == 404, name
        assert [t.name for t in hidden_response.templates] == [t.name for t in missing_response.templates]


def test_an_object_of_another_case_is_not_found_through_this_one(client_for, caseworker, open_case, world):
    mine = open_case(caseworker)
    client = client_for(caseworker)
    for name in ("paper_update", "paper_delete", "expense_edit", "expense_paid", "expense_delete", "expense_reverse"):
        method, url, data = requests_of(world)[name]
        before = state_of(world["case"])
        response = getattr(client, method)(url.replace(world["case"].reference, mine.reference), data)
        # Deleting answers "not on the list (any more)", as for a form sent twice; the rest answer 404.
        assert response.status_code == (302 if name.endswith("_delete") else 404), name
        assert state_of(world["case"]) == before


def test_a_stage_kind_that_does_not_exist_is_not_found(client_for, caseworker, world):
    response = client_for(caseworker).post(
        f"/cases/{world['case'].reference}/stages/teleportation/",
        {"teleportation-version": "1", "teleportation-status": "done"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["stage_update", "paper_add", "paper_update", "paper_delete", "expense_add", "expense_paid", "budget"]
)
def test_forms_that_change_something_refuse_a_get(client_for, caseworker, coordinator, world, name):
    _method, url, _data = requests_of(world)[name]
    user = coordinator if name == "budget" else caseworker
    assert client_for(user).get(url).status_code == 405


def test_writes_need_a_csrf_token(caseworker, world):
    from django.test import Client

    from tests.conftest import sign_in

    client = sign_in(Client(enforce_csrf_checks=True), caseworker)
    _method, url, data = requests_of(world)["expense_add"]
    assert client.post(url, data).status_code == 403
    assert Expense.objects.count() == 2
