"""The case page's sections of stages and money, as inclusion tags: {% load case_work %}{% stage_board %}{% case_money %}.

Each tag reads `access` (cases.access.CaseAccess) and `work_forms` (forms sent
back with errors or warnings, by key) from the page's context, and runs a
fixed number of queries whatever the number of stages, papers or expenses.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone

from cases import money
from cases.forms import BudgetForm, ExpenseForm, MarkPaidForm, PaperForm, StageForm
from cases.models import Expense, Stage
from cases.stages import stage_board as load_stage_board

register = template.Library()


@register.inclusion_tag("cases/includes/stage_board.html", takes_context=True)
def stage_board(context: template.Context) -> dict:
    """Every stage with its status, dates and flags; the travel papers inside the travel-documents stage.

    Everybody who may open the case sees it; only its caseworkers get the forms,
    and only those who may read sealed fields see the notes.
    """
    access = context["access"]
    bound = context.get("work_forms") or {}
    board = load_stage_board(access.case)
    editable = access.can_edit
    rows = [
        {
            "stage": stage,
            "form": (bound.get(f"stage:{stage.kind}") or StageForm.for_stage(stage)) if editable else None,
        }
        for stage in board.stages
    ]
    papers = [
        {"paper": paper, "form": (bound.get(f"paper:{paper.pk}") or PaperForm.for_paper(paper)) if editable else None}
        for paper in board.papers
    ]
    return {
        "case": access.case,
        "access": access,
        "board": board,
        "parallel": [row for row in rows if not row["stage"].is_sequential],
        "sequential": [row for row in rows if row["stage"].is_sequential],
        "papers": papers,
        "paper_form": (bound.get("paper:new") or PaperForm(prefix="paper-new")) if editable else None,
        "show_notes": access.can_read_sealed,
        "request": context.get("request"),
    }


@register.inclusion_tag("cases/includes/case_money.html", takes_context=True)
def case_money(context: template.Context) -> dict:
    """The budget summary, the expenses with their totals, and the forms to add one or change the budget.

    Shown to the case's caseworkers and to coordinators (amounts only: never a
    description); a lawyer sees no costs at all.
    """
    access = context["access"]
    request = context.get("request")
    user = getattr(request, "user", None)
    if not (access.can_manage or (user is not None and user.is_caseworker)):
        return {"shown": False}
    case = access.case
    bound = context.get("work_forms") or {}
    expenses = list(
        Expense.objects.filter(case=case)
        .select_related("stage", "created_by", "reverses")
        .annotate(is_reversed=Exists(Expense.objects.filter(reverses=OuterRef("pk"))))
        .order_by("spent_on", "pk")
    )
    for expense in expenses:
        expense.case = case  # opening a description needs no other query
    editable = access.can_edit
    today = timezone.localdate()
    expense_form = None
    if editable:
        expense_form = bound.get("expense:new")
        if expense_form is None:
            # The currency of the last one recorded: a caseworker tends to spend in one currency for a while.
            last_currency = max(expenses, key=lambda expense: expense.pk).currency if expenses else "EUR"
            expense_form = ExpenseForm(prefix="expense", initial={"currency": last_currency})
    return {
        "shown": True,
        "case": case,
        "access": access,
        "budget": money.budget_of(case, expenses),
        "expenses": [
            {
                "expense": expense,
                "paid_form": MarkPaidForm(prefix=f"paid-{expense.pk}", initial={"paid_on": today})
                if editable and expense.state == Expense.State.COMMITTED
                else None,
            }
            for expense in expenses
        ],
        "expense_form": expense_form,
        "budget_form": (bound.get("budget") or BudgetForm(prefix="budget", initial={"budget_eur": case.budget_eur}))
        if access.can_manage and not case.is_erased
        else None,
        "show_descriptions": access.can_read_sealed,
        "editable": editable,
        "request": request,
    }


@register.filter
def stage_label(kind: str | None) -> str:
    """The name of a stage kind, as lists show `current_stage` (from CaseQuerySet.with_current_stage())."""
    if not kind or kind not in Stage.Kind.values:
        return ""
    return str(Stage.Kind(kind).label)


@register.filter
def stage_status_label(status: str | None) -> str:
    """The name of a stage status, as lists show `current_stage_status`."""
    if not status or status not in Stage.Status.values:
        return ""
    return str(Stage.Status(status).label).lower()


@register.filter
def plain_rate(rate: Decimal | None) -> str:
    """A rate as the active language writes numbers, like the amounts next to it: no trailing zeros, no
    exponent (0.0105 in English and 0,0105 in Russian; never 0.0105000000 or 1.05E-2)."""
    if rate is None:
        return ""
    # normalize() drops the trailing zeros (and may give 1E+2 for 100); number_format writes every digit out
    # in full, with the language's decimal separator and its grouping setting, as Django does for amounts.
    return formats.number_format(rate.normalize())
