"""Emergency access and retention pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.roles import Role
from cases.access import get_case_for_user
from cases.services import CaseError, case_erase
from operations.forms import BreakGlassForm, EraseForm
from operations.retention import due_for_erasure
from operations.services import open_break_glass

RETENTION_PER_PAGE = 50


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def break_glass(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(request.user, reference, request=request)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        open_break_glass(
            case=access.case, coordinator=request.user, reason=form.cleaned_data["reason"], request=request
        )
        messages.warning(
            request,
            _("For %(minutes)s minutes you can read this case's personal data. Every read is logged.")
            % {"minutes": settings.PASSAGE_BREAK_GLASS_MINUTES},
        )
        return redirect(access.case)
    context = {"case": access.case, "form": form, "minutes": settings.PASSAGE_BREAK_GLASS_MINUTES}
    return render(request, "operations/break_glass.html", context)


@require_GET
@role_required(Role.COORDINATOR)
def retention(request: HttpRequest) -> HttpResponse:
    """Cases closed as resettled longer ago than the retention period, to be erased, a page at a time."""
    page = Paginator(due_for_erasure(), RETENTION_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "due": page.object_list, "days": settings.PASSAGE_RETENTION_DAYS}
    return render(request, "operations/retention.html", context)


@require_POST
@role_required(Role.COORDINATOR)
def retention_erase(request: HttpRequest, reference: str) -> HttpResponse:
    access = get_case_for_user(request.user, reference, write=True, request=request, log=False)
    if not due_for_erasure().filter(pk=access.case.pk).exists():
        messages.error(request, _("%(reference)s is not due for erasure.") % {"reference": reference})
        return redirect("operations:retention")
    form = EraseForm(request.POST, reference=reference)
    if not form.is_valid():
        messages.error(request, _("Type the reference exactly to confirm. Nothing was erased."))
        return redirect("operations:retention")
    try:
        case_erase(case=access.case, by=request.user, request=request)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(reference)s is erased.") % {"reference": reference})
    return redirect("operations:retention")
