"""View guards by role. A user without the role gets 403, logged; an anonymous visitor is sent to sign in."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.roles import Role

# The URL's case reference, if it has one that looks like a reference (never whatever else was typed).
REFERENCE = re.compile(r"EV-\d{4}-\d{4,6}")


def _record_refusal(request: HttpRequest, kwargs: dict) -> None:
    from audit.models import AccessEvent  # audit's models import accounts' models
    from audit.services import record_access

    reference = str(kwargs.get("reference", ""))
    match = request.resolver_match
    record_access(
        user=request.user,
        action=AccessEvent.Action.REFUSED,
        request=request,
        case_reference=reference if REFERENCE.fullmatch(reference) else "",
        detail=f"role: {match.view_name if match else request.path_info[:100]}",
    )


def role_required(*roles: Role) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not any(request.user.has_role(role) for role in roles):
                _record_refusal(request, kwargs)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
