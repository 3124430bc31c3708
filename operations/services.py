"""Break-glass: opening one case's sealed fields to a coordinator for a limited time, with a reason."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import record_access
from cases.models import Case
from operations.models import BreakGlass


def open_break_glass(*, case: Case, coordinator: User, reason: str, request: HttpRequest | None = None) -> BreakGlass:
    """Opens the case's sealed fields to this coordinator for PASSAGE_BREAK_GLASS_MINUTES; logged with the reason."""
    if not coordinator.is_coordinator:
        raise PermissionError("Only coordinators break the glass.")
    now = timezone.now()
    with transaction.atomic():
        glass = BreakGlass.objects.create(
            case=case,
            coordinator=coordinator,
            reason=reason,
            opened_at=now,
            expires_at=now + timedelta(minutes=settings.PASSAGE_BREAK_GLASS_MINUTES),
        )
    record_access(
        user=coordinator,
        action=Action.BREAK_GLASS,
        request=request,
        case_reference=case.reference,
        detail=reason[:500],
    )
    return glass
