"""The case page's notice of break-glass openings, for the case's caseworkers and coordinators."""

from __future__ import annotations

from django import template

from operations.models import BreakGlass

register = template.Library()


@register.inclusion_tag("operations/break_glass_notice.html")
def break_glass_notice(access) -> dict:
    openings = []
    if access.can_edit or access.can_manage:
        openings = list(
            BreakGlass.objects.filter(case=access.case).select_related("coordinator").order_by("-opened_at")[:20]
        )
    return {"access": access, "openings": openings}
