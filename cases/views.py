"""Case pages: the list, intake, the case, its edit form and its history."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.roles import Role
from audit.models import AccessEvent
from audit.services import record_access
from cases import services
from cases.access import cases_for_user, get_case_for_user
from cases.forms import AssignForm, CaseEditForm, CaseFilterForm, CaseForm, CaseSearchForm
from cases.history import case_changes
from cases.models import Case
from vault.blind_index import name_index, normalise_phone, phone_index
from vault.keys import prefetch_data_keys

READERS = (Role.CASEWORKER, Role.LAWYER, Role.COORDINATOR)


def _search(request: HttpRequest, cases, query: str):
    """Exact matches only: a reference, or (for those who may read names) a full name or phone number."""
    condition = Q(reference__iexact=query)
    if not request.user.is_coordinator:
        index = name_index(query)
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
    show_names = not request.user.is_coordinator
    if show_names:
        prefetch_data_keys(case.data_key_id for case in page if not case.is_erased)
    context = {
        "page": page,
        "filters": filters,
        "search": search,
        "searched": searched,
        "show_names": show_names,
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


@require_GET
@role_required(*READERS)
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(request.user, reference, request=request)
    context = {
        "case": access.case,
        "access": access,
        "caseworkers": services.assigned_caseworkers(access.case),
        "assign_form": AssignForm() if access.can_manage else None,
    }
    return render(request, "cases/case_detail.html", context)


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
                services.case_update(
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
            return redirect(case)
    else:
        form = CaseEditForm(instance=case, initial={"version": case.version})
    return render(request, "cases/case_form.html", {"form": form, "case": case})


@require_GET
@role_required(*READERS)
def case_history(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(request.user, reference, request=request, action=AccessEvent.Action.CASE_HISTORY)
    changes = case_changes(access.case, show_sealed=access.can_read_sealed)
    return render(request, "cases/case_history.html", {"case": access.case, "access": access, "changes": changes})


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
