"""The pipeline and money parts of the dashboard on known data: counts, sums to the cent, mean, median,
highest, cases over budget, balance and runway, and the alerts that need stages and money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shelters.dashboard import money_figures, papers_expiring, pipeline_figures
from tests.shelters.conftest import days
from tests.shelters.money import paper, receive, set_stage, spend

pytestmark = pytest.mark.django_db

NOTE = "Notes-Fictional: the embassy clerk from Vorbl."


def test_funds_spending_balance_and_runway(books, today):
    money = money_figures(today=today)
    assert (money.received, money.restricted) == (Decimal("30000.00"), Decimal("2000.00"))
    assert money.paid == Decimal("13200.10")  # 3000 + 4200.10 + 50 - 50 + 1000 + 5000
    assert money.committed == Decimal("600.30")  # 500 + 0.10 + 0.10 + 100.10, exact
    assert money.balance == Decimal("16199.60")
    assert money.costs.cases == 3
    assert money.costs.mean == Decimal("2900.03")  # 8,700.10 / 3
    assert money.costs.median == Decimal("3500.00")
    assert money.costs.highest == Decimal("4200.10")
    assert money.runway == 5  # 16,199.60 // 2,900.03
    assert money.over_budget == 2  # 5,000.00 and 4,200.10 against 4,000.00


def test_the_median_of_an_even_number_is_the_mean_of_the_middle_two(books, open_case, caseworker, today):
    fourth = open_case(caseworker)
    set_stage(fourth, "resettled", "done", ended_on=today, by=caseworker)
    spend(fourth, "food", "2000.01", on=today, by=caseworker)
    costs = money_figures(today=today).costs
    assert costs.median == Decimal("2750.01")  # (2,000.01 + 3,500.00) / 2 = 2,750.005, rounded half up
    assert costs.mean == Decimal("2675.03")  # 10,700.11 / 4 = 2,675.0275


def test_spending_by_stage_and_by_month(books, today):
    money = money_figures(today=today)
    by_stage = {kind: total for kind, _label, total in money.by_stage}
    assert by_stage["shelter"] == Decimal("3000.00")
    assert by_stage["travel_documents"] == Decimal("4200.10")  # the reversal cancels the mistake
    assert by_stage["clothing"] == Decimal("100.30")
    assert by_stage["resettled"] == Decimal("0.00")
    assert sum(by_stage.values()) == money.paid + money.committed
    assert len(money.by_month) == 12
    (_last_month, before), (this_month, now) = money.by_month[-2:]
    assert (this_month.year, this_month.month) == (today.year, today.month)
    assert before == Decimal("3050.00")
    assert now == Decimal("10750.40")


def test_without_a_resettled_case_there_is_no_runway_but_the_default_budget_is_given(
    open_case, caseworker, coordinator, today
):
    spend(open_case(caseworker), "food", "100.00", on=today, by=caseworker)
    receive("8100.00", on=today, by=coordinator)
    money = money_figures(today=today)
    assert money.costs.cases == 0
    assert (money.costs.mean, money.costs.median, money.costs.highest) == (None, None, None)
    assert money.runway is None
    assert money.runway_at_default_budget == 2  # 8,000.00 // 4,000.00


def test_an_overspent_balance_gives_no_runway(books, caseworker, coordinator, today):
    receive("0.01", on=today, by=coordinator)
    spend(books["over"], "food", "20000.00", on=today, by=caseworker)
    money = money_figures(today=today)
    assert money.balance < 0
    assert money.runway == 0


def test_the_pipeline_counts_open_cases_by_stage_and_status(open_case, caseworker, coordinator, today):
    from cases.services import case_update
    from vault.keys import key_scope

    one, two, closed = open_case(caseworker), open_case(caseworker), open_case(caseworker)
    set_stage(one, "shelter", "in_progress", started_on=today, by=caseworker)
    set_stage(one, "travel_documents", "blocked", blocked_reason="waiting_embassy", notes=NOTE, by=caseworker)
    set_stage(two, "evacuation", "in_progress", due_on=today - days(2), by=caseworker)
    set_stage(two, "food", "done", due_on=today - days(9), by=caseworker)  # done: never overdue
    set_stage(closed, "shelter", "blocked", blocked_reason="security", by=caseworker)
    with key_scope():
        case_update(case=closed, user=caseworker, expected_version=1, changes={"status": "closed"})

    pipeline = pipeline_figures(today=today)
    columns = [value for value, _label in pipeline.statuses]
    rows = {row.kind: dict(zip(columns, row.counts, strict=True)) for row in pipeline.rows}
    assert rows["shelter"] == {"not_started": 1, "in_progress": 1, "done": 0, "blocked": 0, "not_needed": 0}
    assert rows["travel_documents"]["blocked"] == 1
    assert all(row.total == 2 for row in pipeline.rows)  # the closed case is not in the pipeline
    assert [(item.reference, item.kind_label) for item in pipeline.overdue] == [(two.reference, "Evacuation")]
    assert pipeline.overdue_total == 1
    assert [(item.reference, item.detail) for item in pipeline.blocked] == [(one.reference, "Waiting for an embassy")]
    assert pipeline.blocked_by_reason == [("Waiting for an embassy", 1)]


def test_papers_expiring_soon_are_alerts(open_case, caseworker, today, settings):
    soon, later, refused, expired = (open_case(caseworker) for _ in range(4))
    paper(soon, expires_on=today + days(10), by=caseworker)
    paper(later, expires_on=today + days(settings.PASSAGE_PAPER_EXPIRY_WARNING_DAYS + 1), by=caseworker)
    paper(refused, expires_on=today + days(5), status="refused", by=caseworker)
    paper(expired, expires_on=today - days(1), by=caseworker)
    alerts, total = papers_expiring(today=today)
    assert [alert.reference for alert in alerts] == [expired.reference, soon.reference]
    assert total == 2


def test_the_dashboard_page_shows_money_and_pipeline_without_notes(client_for, coordinator, caseworker, books, today):
    set_stage(books["over"], "travel_documents", "blocked", blocked_reason="waiting_funds", notes=NOTE, by=caseworker)
    page = client_for(coordinator).get("/dashboard/").content.decode()
    assert "16199.60 EUR" in page  # the balance
    assert "Waiting for money" in page
    assert books["over"].reference in page  # over budget, by reference
    assert NOTE not in page
    assert "<svg" in page and "spending-chart-title" in page


def test_open_cases_over_budget_are_alerts_by_reference(books, caseworker, today):
    from cases.services import case_update
    from shelters.dashboard import over_budget_cases
    from vault.keys import key_scope

    _a, b, _c = books["resettled"]
    alert = over_budget_cases()
    assert (alert.references, alert.total) == ([b.reference, books["over"].reference], 2)
    with key_scope():
        case_update(case=b, user=caseworker, expected_version=1, changes={"status": "closed"})
    assert over_budget_cases().references == [books["over"].reference]  # a closed case is no alert
    assert money_figures(today=today).over_budget == 2  # but it still counts in the money figures
