"""Emergency access pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import role_required
from accounts.roles import Role
from cases.access import get_case_for_user
from operations.forms import BreakGlassForm
from operations.services import open_break_glass


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
