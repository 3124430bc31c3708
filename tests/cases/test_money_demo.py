"""seed_demo gives the demo cases realistic stages, travel papers and expenses in several currencies."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cases.models import Case, ExchangeRate, Expense, Fund, Stage, TravelPaper
from cases.money import case_budget, funds_summary

pytestmark = pytest.mark.django_db


def test_the_demo_has_stages_papers_expenses_rates_and_funds_and_can_run_twice(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Expense.objects.count(), ExchangeRate.objects.count(), Fund.objects.count(), TravelPaper.objects.count())
    call_command("seed_demo")
    assert (
        Expense.objects.count(),
        ExchangeRate.objects.count(),
        Fund.objects.count(),
        TravelPaper.objects.count(),
    ) == counts
    assert "Demo stages and money exist already." in capsys.readouterr().out
    assert Expense.objects.values("currency").distinct().count() >= 5
    assert Expense.objects.filter(state="committed").exists()
    assert Stage.objects.filter(case__in=Case.objects.all()).count() == Case.objects.count() * len(Stage.Kind.values)
    stages = set(Case.objects.with_current_stage().values_list("current_stage", flat=True))
    assert {"shelter", "travel_documents", "evacuation"} <= stages
    assert Stage.objects.filter(status="blocked").exists()
    assert TravelPaper.objects.expiring().exists()
    assert any(case_budget(case).total for case in Case.objects.all())
    summary = funds_summary()
    assert summary.received > 0 and summary.paid > 0
