"""Safe-house pages: the houses, placing people in them, requests for a place, cases kept apart."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.roles import Role
from cases.access import CHANGE, CaseAccess, get_case_for_user
from cases.stages import with_list_figures
from shelters import services
from shelters.access import get_shelter_for_user, shelters_for_user
from shelters.forms import (
    DeclineForm,
    EndForm,
    GrantForm,
    KeepApartForm,
    MoveForm,
    PlaceForm,
    PlaceRequestForm,
    ShelterEditForm,
    ShelterForm,
)
from shelters.models import KeepApart, Placement, PlacementRequest, Shelter
from shelters.occupancy import full_percent, occupancy_rows

# Safe houses


@require_GET
@role_required(Role.COORDINATOR, Role.CASEWORKER)
def shelter_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    if user.is_coordinator:
        shelters = (
            Shelter.objects.only("id", "code_name", "city", "capacity", "status")
            .with_occupancy(on=today)
            .order_by("status", "code_name")
        )
        rows = occupancy_rows(shelters, today=today, full_at=full_percent())
        return render(request, "shelters/shelter_list.html", {"rows": rows, "today": today, "manage": True})
    shelters = list(shelters_for_user(user).with_address_for(user, on=today).only("id", "code_name", "city"))
    mine = (
        Placement.objects.covering(today)
        .filter(case__user_grants__user=user, case__user_grants__permission__codename=CHANGE)
        .filter(case__erased_at__isnull=True)
        .values_list("shelter_id", "case__reference")
        .order_by("case__reference")
    )
    here: dict[int, list[str]] = {}
    for shelter_id, reference in mine:
        here.setdefault(shelter_id, []).append(reference)
    for shelter in shelters:
        shelter.my_cases = here.get(shelter.pk, [])
    return render(request, "shelters/shelter_list.html", {"shelters": shelters, "today": today, "manage": False})


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def shelter_create(request: HttpRequest) -> HttpResponse:
    form = ShelterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            shelter = services.shelter_create(by=request.user, data=form.cleaned_data, request=request)
        except services.PlacementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(shelter)s is added.") % {"shelter": shelter.code_name})
            return redirect(shelter)
    return render(request, "shelters/shelter_form.html", {"form": form, "creating": True})


@require_GET
@role_required(Role.COORDINATOR, Role.CASEWORKER)
def shelter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_shelter_for_user(request.user, pk, request=request)
    context: dict[str, Any] = {"shelter": access.shelter, "access": access}
    if access.can_manage:
        today = timezone.localdate()
        stays = list(
            Placement.objects.filter(shelter=access.shelter)
            .open_on(today)
            .select_related("case")
            .order_by("starts_on", "pk")
        )
        # Each resident's current stage and its flags, as every list shows them: one query for all.
        with_list_figures([stay.case for stay in stays], money=False)
        context["stays"] = stays
        occupancy = Shelter.objects.with_occupancy(on=today).get(pk=access.shelter.pk)
        context["row"] = occupancy_rows([occupancy], today=today, full_at=full_percent())[0]
    return render(request, "shelters/shelter_detail.html", context)


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def shelter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_shelter_for_user(request.user, pk, write=True, request=request)
    shelter = access.shelter
    if shelter.is_erased:
        messages.error(request, _("The details of this safe house were erased; it cannot be changed."))
        return redirect(shelter)
    form = ShelterEditForm(request.POST or None, instance=shelter)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.shelter_update(shelter=shelter, by=request.user, changes=changes, request=request)
        except services.PlacementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(shelter)
    return render(request, "shelters/shelter_form.html", {"form": form, "shelter": shelter})


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def shelter_erase(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_shelter_for_user(request.user, pk, write=True, request=request)
    shelter = access.shelter
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() != shelter.code_name:
            error = _("Type the code name exactly to confirm. Nothing was erased.")
        else:
            try:
                services.shelter_erase(shelter=shelter, by=request.user, request=request)
            except services.PlacementError as refused:
                error = str(refused)
            else:
                messages.success(request, _("The details of %(shelter)s are erased.") % {"shelter": shelter.code_name})
                return redirect(shelter)
    return render(request, "shelters/shelter_erase.html", {"shelter": shelter, "error": error})


@require_GET
@role_required(Role.COORDINATOR)
def request_list(request: HttpRequest) -> HttpResponse:
    """Requests waiting for a decision, oldest wanted first. By reference only: notes are read per case."""
    waiting = list(
        PlacementRequest.objects.filter(status=PlacementRequest.Status.PENDING)
        .select_related("case", "requested_by")
        .defer("note")
        .order_by("wanted_from", "pk")
    )
    # Each case's current stage and its flags, as every list shows them: one query for all.
    with_list_figures([place_request.case for place_request in waiting], money=False)
    return render(request, "shelters/request_list.html", {"waiting": waiting, "today": timezone.localdate()})


# Placing: each action has its own page (for the form and its errors); the case page posts to it.


def _case_action(
    request: HttpRequest,
    access: CaseAccess,
    form: Form,
    *,
    title: str,
    button: str,
    run,
    success: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Validates `form` on POST and runs `run(form.cleaned_data)`; a refusal goes back on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except services.PlacementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect(access.case)
    context = {"case": access.case, "form": form, "title": title, "button": button, **(extra or {})}
    return render(request, "shelters/case_action.html", context)


def _case(request: HttpRequest, reference: str) -> CaseAccess:
    """The case, for a placing action: logged as a view when the page is shown, not again on posting."""
    return get_case_for_user(request.user, reference, write=True, request=request, log=request.method == "GET")


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def case_place(request: HttpRequest, reference: str) -> HttpResponse:
    access = _case(request, reference)
    form = PlaceForm(request.POST or None, prefix="place")

    def run(data: dict) -> None:
        services.case_place_in_shelter(
            case=access.case,
            shelter=data["shelter"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            by=request.user,
            request=request,
        )

    return _case_action(
        request, access, form, title=_("Place in a safe house"), button=_("Place"), run=run, success=_("Placed.")
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def case_move(request: HttpRequest, reference: str) -> HttpResponse:
    access = _case(request, reference)
    form = MoveForm(request.POST or None, prefix="move")

    def run(data: dict) -> None:
        services.case_move_to_shelter(
            case=access.case, shelter=data["shelter"], on=data["on"], by=request.user, request=request
        )

    return _case_action(
        request, access, form, title=_("Move to another safe house"), button=_("Move"), run=run, success=_("Moved.")
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def placement_end(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = _case(request, reference)
    placement = get_object_or_404(access.case.placements.select_related("shelter"), pk=pk)
    form = EndForm(request.POST or None, prefix="end")

    def run(data: dict) -> None:
        services.placement_end(placement=placement, on=data["ends_on"], by=request.user, request=request)

    return _case_action(
        request,
        access,
        form,
        title=_("End the stay in %(shelter)s") % {"shelter": placement.shelter.code_name},
        button=_("Save the day of leaving"),
        run=run,
        success=_("Saved."),
        extra={"placement": placement},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.CASEWORKER)
def place_request_create(request: HttpRequest, reference: str) -> HttpResponse:
    access = _case(request, reference)
    form = PlaceRequestForm(request.POST or None, prefix="request")

    def run(data: dict) -> None:
        services.place_request_create(
            case=access.case, wanted_from=data["wanted_from"], note=data["note"], by=request.user, request=request
        )

    return _case_action(
        request,
        access,
        form,
        title=_("Request a place in a safe house"),
        button=_("Send the request"),
        run=run,
        success=_("The request is sent to the coordinators."),
    )


@require_POST
@role_required(Role.CASEWORKER)
def place_request_withdraw(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = get_case_for_user(request.user, reference, write=True, request=request, log=False)
    place_request = get_object_or_404(access.case.placement_requests, pk=pk)
    try:
        services.place_request_withdraw(place_request=place_request, by=request.user, request=request)
    except services.PlacementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The request is withdrawn."))
    return redirect(access.case)


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def place_request_grant(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = _case(request, reference)
    place_request = get_object_or_404(access.case.placement_requests.select_related("data_key"), pk=pk)
    form = GrantForm(request.POST or None, prefix="grant", initial={"starts_on": place_request.wanted_from})

    def run(data: dict) -> None:
        services.place_request_grant(
            place_request=place_request,
            shelter=data["shelter"],
            starts_on=data["starts_on"],
            by=request.user,
            request=request,
        )

    return _case_action(
        request,
        access,
        form,
        title=_("Grant the request for a place"),
        button=_("Grant and place"),
        run=run,
        success=_("Granted: the case is placed."),
        extra={"place_request": place_request},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def place_request_decline(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = _case(request, reference)
    place_request = get_object_or_404(access.case.placement_requests.select_related("data_key"), pk=pk)
    form = DeclineForm(request.POST or None, prefix="decline")

    def run(data: dict) -> None:
        services.place_request_decline(
            place_request=place_request, reason=data["reason"], by=request.user, request=request
        )

    return _case_action(
        request,
        access,
        form,
        title=_("Decline the request for a place"),
        button=_("Decline"),
        run=run,
        success=_("Declined."),
        extra={"place_request": place_request},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR)
def keep_apart_add(request: HttpRequest, reference: str) -> HttpResponse:
    access = _case(request, reference)
    form = KeepApartForm(request.POST or None, prefix="apart", user=request.user, case=access.case)

    def run(data: dict) -> None:
        _pair, sharing = services.keep_apart_add(
            case=access.case, other=data["other"], reason=data["reason"], by=request.user, request=request
        )
        if sharing:
            messages.warning(
                request,
                _("They have overlapping stays in %(shelters)s: move one of them.") % {"shelters": ", ".join(sharing)},
            )

    return _case_action(
        request,
        access,
        form,
        title=_("Keep apart from another case"),
        button=_("Keep apart"),
        run=run,
        success=_("The two cases are kept apart from now on."),
    )


@require_POST
@role_required(Role.COORDINATOR)
def keep_apart_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    access = get_case_for_user(request.user, reference, write=True, request=request, log=False)
    pairs = KeepApart.objects.filter(Q(case_a=access.case) | Q(case_b=access.case)).select_related("case_a", "case_b")
    pair = get_object_or_404(pairs, pk=pk)
    services.keep_apart_remove(pair=pair, by=request.user, request=request)
    messages.success(request, _("The two cases are no longer kept apart."))
    return redirect(access.case)
