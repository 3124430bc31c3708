"""The safe-house section of the case page: where the case stays, requests for a place, cases kept apart."""

from __future__ import annotations

from django import template
from django.db.models import Q
from django.utils import timezone

from cases.models import Case
from shelters.forms import KeepApartForm, MoveForm, PlaceForm, PlaceRequestForm
from shelters.models import KeepApart, PlacementRequest

register = template.Library()


@register.inclusion_tag("shelters/includes/case_section.html", takes_context=True)
def safe_house_section(context) -> dict:
    """Shown to coordinators (who place) and to the case's own caseworkers (who ask for a place).

    Lawyers see nothing of it. A fixed number of queries: the case's stays, its
    requests, and for coordinators its keep-apart pairs and the open safe houses.
    """
    access = context.get("access")
    request = context.get("request")
    if access is None or request is None:
        return {"show": False}
    user = request.user
    caseworker = access.can_edit and user.is_caseworker
    if not (access.can_manage or caseworker):
        return {"show": False}
    case: Case = access.case
    today = timezone.localdate()
    stays = list(case.placements.select_related("shelter").order_by("-starts_on", "-pk"))
    current = next((stay for stay in stays if stay.covers(today)), None)
    upcoming = [stay for stay in stays if stay.starts_on > today and not stay.is_cancelled]
    past = [stay for stay in stays if stay is not current and stay not in upcoming]
    requests = list(
        case.placement_requests.select_related("requested_by", "decided_by", "data_key").order_by(
            "-requested_at", "-pk"
        )[:5]
    )
    pending = next((item for item in requests if item.status == PlacementRequest.Status.PENDING), None)
    can_change = not case.is_erased and case.status != Case.Status.CLOSED
    result = {
        "show": True,
        "case": case,
        "today": today,
        "current": current,
        "upcoming": upcoming,
        "past": past[:5],
        "requests": requests,
        "pending": pending,
        "coordinator": access.can_manage,
        "caseworker": caseworker,
        "can_change": can_change,
        "show_notes": not case.is_erased,
    }
    if caseworker and can_change and pending is None:
        result["request_form"] = PlaceRequestForm(prefix="request")
    if access.can_manage:
        pairs = KeepApart.objects.filter(Q(case_a=case) | Q(case_b=case)).select_related("case_a", "case_b")
        result["kept_apart"] = [(pair, pair.other(case)) for pair in pairs]
        if can_change:
            result["keep_apart_form"] = KeepApartForm(prefix="apart", user=user, case=case)
            if current is not None:
                move_form = MoveForm(prefix="move")
                move_form.fields["shelter"].queryset = move_form.fields["shelter"].queryset.exclude(
                    pk=current.shelter_id
                )
                result["move_form"] = move_form
            else:
                result["place_form"] = PlaceForm(prefix="place")
    return result
