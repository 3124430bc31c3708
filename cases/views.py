"""Case pages: the list, intake, the case, its edit form and its history."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.roles import Role
from audit.models import AccessEvent
from audit.services import record_access
from cases import money, services, stages
from cases.access import CaseAccess, cases_for_user, get_case_for_user
from cases.currencies import format_rate
from cases.forms import (
    AssignForm,
    BudgetForm,
    CaseEditForm,
    CaseFilterForm,
    CaseForm,
    CaseSearchForm,
    ExpenseForm,
    FundForm,
    MarkPaidForm,
    PaperForm,
    RateFilterForm,
    RateForm,
    ReverseForm,
    StageForm,
    add_service_errors,
)
from cases.history import case_changes, work_changes
from cases.models import Case, ExchangeRate, Expense, Fund, Stage
from vault.blind_index import name_index, normalise_phone, phone_index
from vault.keys import prefetch_data_keys

READERS = (Role.CASEWORKER, Role.LAWYER, Role.COORDINATOR)


def _search(request: HttpRequest, cases, query: str):
    """Exact matches only: a reference, or (for those who may read names) a full name or phone number."""
    condition = Q(reference__iexact=query)
    if not request.user.is_coordinator:
        index = name_index(query)
        if index:  # a query with nothing of a name in it ("-") must not match every case without a chosen name
            condition |= Q(legal_name_index=index) | Q(chosen_name_index=index)
        if len(normalise_phone(query)) >= 5:
            condition |= Q(phone_index=phone_index(query))
    return cases.filter(condition)


@require_http_methods(["GET", "POST"])
@role_required(*READERS)
def case_list(request: HttpRequest) -> HttpResponse:
    if request.user.is_lawyer:
        from documents.views import lawyer_case_list  # a lawyer's start page: the cases shared with them

        return lawyer_case_list(request)
    cases = cases_for_user(request.user)
    filters = CaseFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            cases = cases.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["risk"]:
            cases = cases.filter(risk=filters.cleaned_data["risk"])
    search = CaseSearchForm(request.POST or None)
    searched = request.method == "POST" and search.is_valid()
    if searched:
        cases = _search(request, cases, search.cleaned_data["q"])
        record_access(user=request.user, action=AccessEvent.Action.CASE_SEARCH, request=request)
    else:
        record_access(user=request.user, action=AccessEvent.Action.CASE_LIST, request=request)
    page = Paginator(cases.for_list(), 50).get_page(request.GET.get("page"))
    show_money = not request.user.is_lawyer  # lawyers never see costs
    page.object_list = stages.with_list_figures(list(page.object_list), money=show_money)
    show_names = not request.user.is_coordinator
    if show_names:
        prefetch_data_keys(case.data_key_id for case in page if not case.is_erased)
    context = {
        "page": page,
        "filters": filters,
        "search": search,
        "searched": searched,
        "show_names": show_names,
        "show_money": show_money,
        "can_open": request.user.is_caseworker,
    }
    return render(request, "cases/case_list.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.CASEWORKER)
def case_create(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = services.case_open(user=request.user, data=form.cleaned_data, request=request)
        messages.success(request, _("Case %(reference)s is open.") % {"reference": case.reference})
        return redirect(case)
    return render(request, "cases/case_form.html", {"form": form, "creating": True})


def _case_page(request: HttpRequest, access: CaseAccess, *, bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    """The case page; `bound` holds forms sent back with errors or warnings, shown in place of fresh ones.

    The sections of stages and money are drawn by the `case_work` inclusion tags, which read `work_forms`.
    """
    context = {
        "case": access.case,
        "access": access,
        "caseworkers": services.assigned_caseworkers(access.case),
        "assign_form": AssignForm() if access.can_manage else None,
        "work_forms": bound or {},
    }
    return render(request, "cases/case_detail.html", context)


@require_GET
@role_required(*READERS)
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(request.user, reference, request=request)
    return _case_page(request, access)


@require_http_methods(["GET", "POST"])
@role_required(Role.CASEWORKER)
def case_edit(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(
        request.user, reference, write=True, request=request, action=AccessEvent.Action.CASE_VIEW
    )
    case = access.case
    if not access.can_edit:
        return redirect(case)
    if request.method == "POST":
        form = CaseEditForm(request.POST, instance=case)
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
            try:
                saved = services.case_update(
                    case=case,
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                    changes=changes,
                    request=request,
                )
            except services.StaleCase as stale:
                latest = Case.objects.get(pk=case.pk)
                data = request.POST.copy()
                data["version"] = str(latest.version)
                form = CaseEditForm(data, instance=latest)
                form.is_valid()
                form.add_error(None, str(stale))
                changed = services.fields_changed_since(case=latest, version=int(request.POST["version"]))
                return render(
                    request, "cases/case_form.html", {"form": form, "case": case, "changed_by_other": changed}
                )
            messages.success(request, _("Saved."))
            if saved.beds_released:
                messages.info(
                    request,
                    _("The case is closed: it no longer holds a bed in a safe house or waits for one."),
                )
            return redirect(case)
    else:
        form = CaseEditForm(instance=case, initial={"version": case.version})
    return render(request, "cases/case_form.html", {"form": form, "case": case})


@require_GET
@role_required(*READERS)
def case_history(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(request.user, reference, request=request, action=AccessEvent.Action.CASE_HISTORY)
    changes = case_changes(access.case, show_sealed=access.can_read_sealed)
    show_money = not request.user.is_lawyer  # lawyers never see costs
    work = work_changes(access.case, show_sealed=access.can_read_sealed, show_money=show_money)
    context = {"case": access.case, "access": access, "changes": changes, "work": work, "show_money": show_money}
    return render(request, "cases/case_history.html", context)


@require_POST
@role_required(Role.COORDINATOR)
def case_assign(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(request.user, reference, write=True, request=request, log=False)
    form = AssignForm(request.POST)
    if form.is_valid():
        caseworker = form.cleaned_data["caseworker"]
        try:
            services.case_assign(case=access.case, caseworker=caseworker, by=request.user, request=request)
        except services.CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(user)s is assigned.") % {"user": caseworker.username})
    else:
        messages.error(request, _("Choose a caseworker to assign."))
    return redirect(access.case)


@require_POST
@role_required(Role.COORDINATOR)
def case_unassign(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(request.user, reference, write=True, request=request, log=False)
    form = AssignForm(request.POST)
    if form.is_valid():
        caseworker = form.cleaned_data["caseworker"]
        services.case_unassign(case=access.case, caseworker=caseworker, by=request.user, request=request)
        messages.success(request, _("%(user)s is no longer assigned.") % {"user": caseworker.username})
    else:
        messages.error(request, _("Choose a caseworker to unassign."))
    return redirect(access.case)


# ---- Stages and travel papers: each changed by a small form on the case page -------------------------------


def _for_work(request: HttpRequest, reference: str) -> CaseAccess:
    """The case, for its assigned caseworker to change; 404 (logged) for anybody else."""
    access = get_case_for_user(request.user, reference, write=True, request=request)
    if not access.can_edit:
        raise Http404
    return access


def _back_to(case: Case, anchor: str) -> HttpResponse:
    return redirect(f"{case.get_absolute_url()}#{anchor}")


@require_POST
@role_required(Role.CASEWORKER)
def stage_update(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    access = _for_work(request, reference)
    case = access.case
    if kind not in Stage.Kind.values:
        raise Http404
    form = StageForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            stage = stages.stage_update(
                case=case,
                kind=kind,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                change=form.change(),
                request=request,
            )
        except stages.StaleStage as stale:
            data = request.POST.copy()
            data[f"{kind}-version"] = str(case.stages.get(kind=kind).version)
            form = StageForm(data, prefix=kind)
            form.is_valid()
            form.add_error(None, str(stale))
        except stages.StageError as error:
            add_service_errors(form, error.errors)
        else:
            messages.success(
                request,
                _("%(stage)s: %(status)s.") % {"stage": stage.get_kind_display(), "status": stage.get_status_display()},
            )
            return _back_to(case, f"stage-{kind}")
    return _case_page(request, access, bound={f"stage:{kind}": form})


@require_POST
@role_required(Role.CASEWORKER)
def paper_add(request: HttpRequest, reference: str) -> HttpResponse:
    access = _for_work(request, reference)
    form = PaperForm(request.POST, prefix="paper-new")
    if form.is_valid():
        try:
            paper = stages.paper_add(case=access.case, user=request.user, values=form.values(), request=request)
        except stages.StageError as error:
            add_service_errors(form, error.errors)
        else:
            messages.success(request, _("%(paper)s added to the list.") % {"paper": paper.get_kind_display()})
            return _back_to(access.case, "papers")
    return _case_page(request, access, bound={"paper:new": form})


@require_POST
@role_required(Role.CASEWORKER)
def paper_update(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = _for_work(request, reference)
    paper = get_object_or_404(access.case.travel_papers, pk=pk)
    paper.case = access.case
    form = PaperForm(request.POST, prefix=f"paper-{pk}")
    if form.is_valid():
        try:
            stages.paper_update(paper=paper, user=request.user, values=form.values(), request=request)
        except stages.StageError as error:
            add_service_errors(form, error.errors)
        else:
            messages.success(request, _("%(paper)s: saved.") % {"paper": paper.get_kind_display()})
            return _back_to(access.case, f"paper-{pk}")
    return _case_page(request, access, bound={f"paper:{pk}": form})


@require_POST
@role_required(Role.CASEWORKER)
def paper_delete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = _for_work(request, reference)
    paper = access.case.travel_papers.filter(pk=pk).first()
    if paper is None:  # removed already (the same form sent twice), or never on this case's list
        messages.info(request, _("That paper is not on the list (any more)."))
        return _back_to(access.case, "papers")
    paper.case = access.case
    stages.paper_delete(paper=paper, user=request.user, request=request)
    messages.success(request, _("%(paper)s removed from the list.") % {"paper": paper.get_kind_display()})
    return _back_to(access.case, "papers")


# ---- Expenses and the budget -------------------------------------------------------------------------------


def _case_expense(access: CaseAccess, pk: int) -> Expense:
    expense = get_object_or_404(access.case.expenses.select_related("stage"), pk=pk)
    expense.case = access.case
    return expense


@require_POST
@role_required(Role.CASEWORKER)
def expense_add(request: HttpRequest, reference: str) -> HttpResponse:
    access = _for_work(request, reference)
    case = access.case
    form = ExpenseForm(request.POST, prefix="expense")
    if form.is_valid():
        try:
            expense = money.expense_add(
                case=case,
                user=request.user,
                values=form.values(),
                confirmed_eur=form.confirmed(),
                entry_token=form.cleaned_data["entry_token"],
                request=request,
            )
        except money.AlreadyRecorded:
            messages.info(request, _("This expense was recorded already: the form was sent twice."))
            return _back_to(case, "expenses")
        except money.NeedsConfirmation as question:
            form = ExpenseForm.asking_confirmation(
                request.POST, prefix="expense", warnings=question.warnings, amount_eur=question.amount_eur
            )
        except money.MoneyError as error:
            add_service_errors(form, error.errors)
        else:
            messages.success(
                request,
                _("Recorded: %(amount)s %(currency)s (%(eur)s EUR).")
                % {"amount": expense.amount, "currency": expense.currency, "eur": expense.amount_eur},
            )
            return _back_to(case, "expenses")
    return _case_page(request, access, bound={"expense:new": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.CASEWORKER)
def expense_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A committed expense changed on its own page (a paid one is reversed instead)."""
    access = _for_work(request, reference)
    case = access.case
    expense = _case_expense(access, pk)
    if expense.state != Expense.State.COMMITTED or expense.is_reversal:
        messages.error(request, _("A paid expense is not changed: reverse it, and record the right one."))
        return _back_to(case, f"expense-{pk}")
    if request.method == "POST":
        form = ExpenseForm(request.POST)
        if form.is_valid():
            try:
                money.expense_update(
                    expense=expense,
                    user=request.user,
                    values=form.values(),
                    confirmed_eur=form.confirmed(),
                    request=request,
                )
            except money.NeedsConfirmation as question:
                form = ExpenseForm.asking_confirmation(
                    request.POST, prefix=None, warnings=question.warnings, amount_eur=question.amount_eur
                )
            except money.MoneyError as error:
                add_service_errors(form, error.errors)
            else:
                messages.success(request, _("The expense is saved."))
                return _back_to(case, f"expense-{pk}")
    else:
        form = ExpenseForm(
            initial={
                "stage": expense.stage.kind,
                "amount": expense.amount,
                "currency": expense.currency,
                "rate_to_eur": format_rate(expense.rate_to_eur),
                "spent_on": expense.spent_on,
                "state": expense.state,
                "description": expense.description or "",
            }
        )
    return render(request, "cases/expense_form.html", {"case": case, "expense": expense, "form": form})


@require_POST
@role_required(Role.CASEWORKER)
def expense_mark_paid(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = _for_work(request, reference)
    expense = _case_expense(access, pk)
    form = MarkPaidForm(request.POST, prefix=f"paid-{pk}")
    if not form.is_valid():
        messages.error(request, _("Give the date it was paid on."))
        return _back_to(access.case, f"expense-{pk}")
    try:
        money.expense_mark_paid(
            expense=expense, user=request.user, paid_on=form.cleaned_data["paid_on"], request=request
        )
    except money.MoneyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Marked paid."))
    return _back_to(access.case, f"expense-{pk}")


@require_POST
@role_required(Role.CASEWORKER)
def expense_delete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = _for_work(request, reference)
    if not access.case.expenses.filter(pk=pk).exists():  # deleted already (the same form sent twice)
        messages.info(request, _("That expense is not recorded (any more)."))
        return _back_to(access.case, "expenses")
    expense = _case_expense(access, pk)
    try:
        money.expense_delete(expense=expense, user=request.user, request=request)
    except money.MoneyError as error:
        messages.error(request, str(error))
        return _back_to(access.case, f"expense-{pk}")
    messages.success(request, _("The committed expense is deleted (its history keeps it)."))
    return _back_to(access.case, "expenses")


@require_http_methods(["GET", "POST"])
@role_required(Role.CASEWORKER)
def expense_reverse(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Corrects a paid expense by a reversing entry, on a page that says what will happen."""
    access = _for_work(request, reference)
    case = access.case
    expense = _case_expense(access, pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            money.expense_reverse(
                expense=expense,
                user=request.user,
                reason=form.cleaned_data["reason"],
                on_date=form.cleaned_data["on_date"],
                request=request,
            )
        except money.MoneyError as error:
            add_service_errors(form, error.errors)
        else:
            messages.success(request, _("Reversed. Record the right expense now, if there is one."))
            return _back_to(case, "expenses")
    return render(request, "cases/expense_reverse.html", {"case": case, "expense": expense, "form": form})


@require_POST
@role_required(Role.COORDINATOR)
def case_budget(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(request.user, reference, write=True, request=request)
    if not access.can_manage:
        raise Http404
    form = BudgetForm(request.POST, prefix="budget")
    if form.is_valid():
        try:
            money.case_set_budget(
                case=access.case,
                user=request.user,
                budget_eur=form.cleaned_data["budget_eur"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except money.MoneyError as error:
            add_service_errors(form, error.errors)
        else:
            messages.success(request, _("The budget is now %(budget)s EUR.") % {"budget": access.case.budget_eur})
            return _back_to(access.case, "budget")
    return _case_page(request, access, bound={"budget": form})


# ---- Funds and exchange rates: the coordinators' pages (cases/urls_money.py) -------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def fund_list(request: HttpRequest) -> HttpResponse:
    form = FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fund = money.fund_add(user=request.user, values=form.values(), request=request)
        except money.MoneyError as error:
            add_service_errors(form, error.errors)
        else:
            messages.success(
                request,
                _("Recorded: %(amount)s %(currency)s (%(eur)s EUR).")
                % {"amount": fund.amount, "currency": fund.currency, "eur": fund.amount_eur},
            )
            for warning in money.fund_rate_warnings(form.values()):
                messages.warning(request, warning)
            return redirect("money:funds")
    page = Paginator(Fund.objects.select_related("created_by"), 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "summary": money.funds_summary()}
    return render(request, "cases/funds.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def fund_edit(request: HttpRequest, pk: int) -> HttpResponse:
    fund = get_object_or_404(Fund, pk=pk)
    if request.method == "POST":
        form = FundForm(request.POST)
        if form.is_valid():
            try:
                money.fund_update(fund=fund, user=request.user, values=form.values(), request=request)
            except money.MoneyError as error:
                add_service_errors(form, error.errors)
            else:
                messages.success(request, _("The fund is corrected; its history keeps what it was."))
                for warning in money.fund_rate_warnings(form.values()):
                    messages.warning(request, warning)
                return redirect("money:funds")
    else:
        form = FundForm(
            initial={
                "source": fund.source,
                "amount": fund.amount,
                "currency": fund.currency,
                "rate_to_eur": format_rate(fund.rate_to_eur),
                "received_on": fund.received_on,
                "restricted": fund.restricted,
                "note": fund.note,
            }
        )
    return render(request, "cases/fund_form.html", {"form": form, "fund": fund})


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def rate_list(request: HttpRequest) -> HttpResponse:
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rate, previous = money.rate_set(
                user=request.user,
                currency=data["currency"],
                on_date=data["on_date"],
                rate_to_eur=data["rate_to_eur"],
                request=request,
            )
        except money.MoneyError as error:
            add_service_errors(form, error.errors)
        else:
            values = {
                "currency": rate.currency,
                "date": rate.on_date.isoformat(),
                "rate": format_rate(rate.rate_to_eur),
            }
            if previous is None:
                messages.success(request, _("%(currency)s on %(date)s: %(rate)s EUR.") % values)
            else:
                values["previous"] = format_rate(previous)
                messages.success(request, _("%(currency)s on %(date)s: %(rate)s EUR (was %(previous)s).") % values)
            return redirect("money:rates")
    filters = RateFilterForm(request.GET or None)
    rates = ExchangeRate.objects.select_related("created_by")
    if filters.is_valid() and filters.cleaned_data["currency"]:
        rates = rates.filter(currency=filters.cleaned_data["currency"])
    page = Paginator(rates, 50).get_page(request.GET.get("page"))
    context = {"form": form, "filters": filters, "page": page, "max_age_days": settings.PASSAGE_RATE_MAX_AGE_DAYS}
    return render(request, "cases/rates.html", context)
