"""Case pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.roles import Role


@require_GET
@role_required(Role.CASEWORKER, Role.LAWYER, Role.COORDINATOR)
def case_list(request: HttpRequest) -> HttpResponse:
    return render(request, "coming_soon.html", {"title": _("Cases")})
