"""The case page as a working tool: what each persona sees of stages and money, and its fixed query count."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from cases.money import ExpenseValues, expense_add
from cases.stages import PaperValues, StageChange, paper_add, stage_update
from cases.templatetags.case_work import plain_rate
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
STAGE_NOTE = "Stage-note-Fictional: the Vorbl crossing"
REASON = "Reason-Fictional: issued at Vorbl"
PAPER_NOTE = "Paper-note-Fictional: consulate in Vorbl"
DESCRIPTION = "Expense-Fictional: ticket Vorbl to Quuxburg"


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


def add_expenses(case, user, count: int, *, start: int = 0) -> None:
    with key_scope():
        for number in range(start, start + count):
            expense_add(
                case=case,
                user=user,
                values=ExpenseValues(
                    stage="evacuation",
                    amount=Decimal("3.50"),
                    currency="GEL",
                    rate_to_eur=Decimal("0.34"),
                    spent_on=TODAY,
                    state="committed" if number % 3 == 0 else "paid",
                    description=f"{DESCRIPTION} #{number}",
                ),
            )


@pytest.fixture
def worked_case(case, caseworker, lawyer):
    share_with(case, lawyer, caseworker)
    with key_scope():
        stage_update(
            case=case,
            kind="evacuation",
            user=caseworker,
            expected_version=1,
            change=StageChange("done", notes=STAGE_NOTE, out_of_order_reason=REASON),
        )
        paper_add(
            case=case,
            user=caseworker,
            values=PaperValues(kind="visa", status="applied", applied_on=TODAY, notes=PAPER_NOTE),
        )
    add_expenses(case, caseworker, 1)
    return case


def page(client, case) -> str:
    response = client.get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_caseworker_sees_and_changes_everything(client_for, caseworker, worked_case):
    body = page(client_for(caseworker), worked_case)
    for value in (STAGE_NOTE, REASON, PAPER_NOTE, DESCRIPTION):
        assert value in body
    assert 'id="stages"' in body and 'id="budget"' in body and 'id="expenses"' in body
    assert f'action="/cases/{worked_case.reference}/stages/food/"' in body
    assert f'action="/cases/{worked_case.reference}/expenses/"' in body
    assert "Change the budget" not in body


def test_the_coordinator_sees_stages_amounts_and_budget_but_no_sealed_value(client_for, coordinator, worked_case):
    body = page(client_for(coordinator), worked_case)
    for value in (STAGE_NOTE, REASON, PAPER_NOTE, DESCRIPTION, "Vorbl"):
        assert value not in body
    assert "Evacuation" in body and "Visa" in body
    assert "3.50 GEL" in body and "1.19" in body
    assert "Change the budget" in body
    assert f'action="/cases/{worked_case.reference}/stages/' not in body  # reads the board, does not change it
    assert f'action="/cases/{worked_case.reference}/expenses/' not in body


def test_the_lawyer_sees_stages_and_papers_but_no_costs(client_for, lawyer, worked_case):
    body = page(client_for(lawyer), worked_case)
    assert STAGE_NOTE in body and PAPER_NOTE in body
    assert 'id="stages"' in body
    for absent in ('id="budget"', 'id="expenses"', DESCRIPTION, "GEL", "EUR", "4000.00"):
        assert absent not in body
    assert f'action="/cases/{worked_case.reference}/stages/' not in body


def test_an_erased_case_shows_its_stages_and_amounts_but_opens_nothing(
    client_for, caseworker, coordinator, worked_case
):
    from cases.services import case_erase

    with key_scope():
        case_erase(case=worked_case, by=coordinator)
    for user in (caseworker, coordinator):
        body = page(client_for(user), worked_case)
        assert "Evacuation" in body and "3.50 GEL" in body
        assert DESCRIPTION not in body and STAGE_NOTE not in body
        assert f'action="/cases/{worked_case.reference}/expenses/"' not in body


def count_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client, case)
    return len(queries.captured_queries)


@pytest.mark.parametrize("persona", ["caseworker", "coordinator"])
def test_the_case_page_runs_the_same_queries_for_1_and_100_expenses(
    request, client_for, caseworker, worked_case, persona
):
    # The two who see the money section; the lawyer sees none (test below, with papers instead).
    worked_case.budget_eur = Decimal("100000.00")
    worked_case.save()
    client = client_for(request.getfixturevalue(persona))
    page(client, worked_case)
    with_one = count_queries(client, worked_case)
    add_expenses(worked_case, caseworker, 99, start=1)
    with key_scope():
        for kind in ("visa", "birth_certificate", "other"):
            paper_add(case=worked_case, user=caseworker, values=PaperValues(kind=kind, status="needed"))
    assert count_queries(client, worked_case) == with_one
    body = page(client, worked_case)
    assert body.count('<tr id="expense-') == 100
    if persona == "caseworker":
        assert f"{DESCRIPTION} #99" in body
    else:
        assert DESCRIPTION not in body


def test_the_lawyers_case_page_runs_the_same_queries_for_1_and_4_travel_papers(
    client_for, caseworker, lawyer, worked_case
):
    # A lawyer's page has no money section, so expenses cannot change its count; the papers it shows can.
    client = client_for(lawyer)
    page(client, worked_case)
    with_one = count_queries(client, worked_case)
    with key_scope():
        for kind in ("visa", "birth_certificate", "other"):
            paper_add(case=worked_case, user=caseworker, values=PaperValues(kind=kind, status="needed"))
    assert count_queries(client, worked_case) == with_one
    body = page(client, worked_case)
    assert body.count('<li class="paper') == 4
    assert 'id="expenses"' not in body


def test_the_budget_form_on_the_page_changes_the_budget(client_for, coordinator, worked_case):
    client = client_for(coordinator)
    response = client.post(
        f"/cases/{worked_case.reference}/budget/", {"budget-budget_eur": "4 800", "budget-reason": "Flights rose"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#budget")
    worked_case.refresh_from_db()
    assert worked_case.budget_eur == Decimal("4800.00")
    bad = client.post(f"/cases/{worked_case.reference}/budget/", {"budget-budget_eur": "0", "budget-reason": "x"})
    assert bad.status_code == 200
    assert "A budget is more than zero" in bad.content.decode()
    history = client.get(f"/cases/{worked_case.reference}/history/").content.decode()
    assert "Flights rose" in history


class _Rows(HTMLParser):
    """The text of each cell of each table row that has an id, by that id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            row_id = dict(attrs).get("id")
            self._row = self.rows.setdefault(row_id, []) if row_id else None
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def expense_rows(body: str) -> dict[str, list[str]]:
    parser = _Rows()
    parser.feed(body)
    return {row_id: cells for row_id, cells in parser.rows.items() if row_id.startswith("expense-")}


def budget_facts(body: str) -> str:
    facts = body[body.index('<dl class="facts money-facts">') :]
    return " ".join(re.sub(r"<[^>]+>", " ", facts[: facts.index("</dl>")]).split())


def record(case, user, amount: str, currency: str, rate: str, state: str = "paid") -> None:
    values = ExpenseValues(
        stage="food",
        amount=Decimal(amount),
        currency=currency,
        rate_to_eur=Decimal(rate),
        spent_on=TODAY - datetime.timedelta(days=1),
        state=state,
    )
    with key_scope():
        expense_add(case=case, user=user, values=values)


def test_the_section_dates_are_plain_and_sums_are_to_the_cent(client_for, caseworker, worked_case):
    # 0.25 x 0.1 = 0.025 EUR: half-even to the cent is 0.02 (half-up would say 0.03).
    record(worked_case, caseworker, "0.25", "USD", "0.1")
    # 12.34 x 0.0105 = 0.12957 EUR: 0.13.
    record(worked_case, caseworker, "12.34", "RUB", "0.0105000000")
    body = page(client_for(caseworker), worked_case)

    rows = sorted(expense_rows(body).values())
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    # Date, stage, description, amount, rate, EUR, state: dates as YYYY-MM-DD, rates without trailing zeros.
    assert [(r[0], r[3], r[4], r[5]) for r in rows] == sorted(
        [
            (yesterday, "0.25 USD", "0.1", "0.02"),
            (yesterday, "12.34 RUB", "0.0105", "0.13"),
            (TODAY.isoformat(), "3.50 GEL", "0.34", "1.19"),
        ]
    )
    assert formats.date_format(TODAY) not in body  # no "Dec. 1, 2026": dates are plain everywhere
    assert f"Ended {TODAY.isoformat()}" in " ".join(body.split())  # the stage board's dates too

    # The totals add the stored cents: 1.19 committed; 0.02 + 0.13 paid; 4000.00 - 1.34 remaining.
    assert budget_facts(body) == "Budget 4000.00 EUR Committed 1.19 EUR Paid 0.15 EUR Remaining 3998.66 EUR"
    assert "0.0105000000" not in body
    assert "0.000000" not in body


@pytest.mark.parametrize(
    ("language", "rate", "shown"),
    [
        ("en", "0.0105000000", "0.0105"),
        ("ru", "0.0105000000", "0,0105"),
        ("en", "1.0000000000", "1"),
        ("ru", "1.0000000000", "1"),
        ("ru", "1E+2", "100"),
        ("en", "0.0000700000", "0.00007"),
        ("ru", "0.0000700000", "0,00007"),
        ("ru", "1050.5000000000", "1050,5"),
    ],
)
def test_a_rate_is_written_as_the_language_writes_numbers(language, rate, shown):
    with translation.override(language):
        assert plain_rate(Decimal(rate)) == shown


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ["3.50 GEL", "0.34", "1.19"]), ("ru", ["3,50 GEL", "0,34", "1,19"])],
)
def test_rates_use_the_same_decimal_separator_as_the_amounts(client_for, caseworker, worked_case, language, expected):
    client = client_for(caseworker)
    client.post("/i18n/setlang/", {"language": language, "next": "/cases/"})
    (row,) = expense_rows(page(client, worked_case)).values()
    assert [row[3], row[4], row[5]] == expected
