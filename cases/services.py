"""What happens to cases: opening, editing, assigning, erasing. Each runs in a transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import User
from audit.models import AccessEvent
from audit.services import record_access
from cases.history import change_reason, changed_names
from cases.models import Case, CaseUserObjectPermission, ReferenceCounter
from cases.stages import create_stages
from shelters import services as shelter_services
from vault.keys import destroy_data_key

EDITABLE_FIELDS = (
    *Case.SEALED_FIELDS,
    "status",
    "risk",
    "intake_date",
    "destination_country",
)


class CaseError(Exception):
    """A rule of case work was broken; the message is for the user."""


class StaleCase(CaseError):
    """Somebody saved the case after this form was loaded."""


def next_reference(*, year: int) -> str:
    """EV-<year>-<number>, numbered per year; the counter row is locked until the case is saved."""
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    number = counter.last
    while True:
        number += 1
        reference = f"EV-{year}-{number:04d}"
        if not Case.objects.filter(reference=reference).exists():  # an imported case may have taken it
            break
    counter.last = number
    counter.save(update_fields=["last"])
    return reference


def case_open(*, user: User, data: dict[str, Any], request: HttpRequest | None = None) -> Case:
    """Opens a case; the caseworker who opens it is assigned to it."""
    with transaction.atomic():
        case = _create(user=user, data=data)
        if user.is_caseworker:
            _grant(case=case, caseworker=user)
    record_access(user=user, action=AccessEvent.Action.CASE_CREATE, request=request, case_reference=case.reference)
    return case


def _create(*, user: User | None, data: dict[str, Any], reference: str = "") -> Case:
    values = {name: value for name, value in data.items() if name in EDITABLE_FIELDS or name == "budget_eur"}
    intake: datetime.date = values.get("intake_date") or timezone.localdate()
    case = Case(**values, created_by=user)
    case.intake_date = intake
    case.reference = reference or next_reference(year=intake.year)
    case._change_reason = "opened"
    case.save()
    create_stages(case=case, user=user)
    return case


def case_update(
    *, case: Case, user: User, expected_version: int, changes: dict[str, Any], request: HttpRequest | None = None
) -> Case:
    """Saves the changes unless somebody saved the case since `expected_version` was read.

    Locks the case row (select_for_update) so two saves cannot both pass the check.
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.version != expected_version:
            raise StaleCase(
                _("Somebody else saved this case while you were editing it. Your changes are below, not saved yet.")
            )
        if locked.is_erased:
            raise CaseError(_("This case was erased."))
        closing = changes.get("status") == Case.Status.CLOSED and locked.status != Case.Status.CLOSED
        for name, value in changes.items():
            if name not in EDITABLE_FIELDS:
                raise CaseError(f"{name} cannot be edited here.")
            setattr(locked, name, value)
        locked.version += 1
        locked._change_reason = change_reason(list(changes))
        locked.save()
        # A closed case holds no bed and waits for none: its stays end today, its request is withdrawn.
        released = shelter_services.case_release_beds(case=locked, by=user) if closing else 0
    record_access(user=user, action=AccessEvent.Action.CASE_EDIT, request=request, case_reference=locked.reference)
    shelter_services.record_beds_released(reference=locked.reference, count=released, by=user, request=request)
    locked.beds_released = released
    return locked


def fields_changed_since(*, case: Case, version: int) -> list[str]:
    """Labels of the fields other people changed after `version`, for a refused stale save."""
    names: set[str] = set()
    for reason in case.history.filter(version__gt=version).values_list("history_change_reason", flat=True):
        names |= changed_names(reason)
    return [capfirst(Case._meta.get_field(name).verbose_name) for name in EDITABLE_FIELDS if name in names]


def assigned_caseworkers(case: Case) -> list[User]:
    grants = CaseUserObjectPermission.objects.filter(content_object=case, permission__codename="change_case")
    return [grant.user for grant in grants.select_related("user").order_by("user__username")]


def _grant(*, case: Case, caseworker: User) -> None:
    assign_perm("cases.view_case", caseworker, case)
    assign_perm("cases.change_case", caseworker, case)


def case_assign(*, case: Case, caseworker: User, by: User, request: HttpRequest | None = None) -> None:
    if not caseworker.is_active or not caseworker.is_caseworker:
        raise CaseError(_("Only an active caseworker can be assigned to a case."))
    if case.is_erased:
        raise CaseError(_("This case was erased."))
    with transaction.atomic():
        _grant(case=case, caseworker=caseworker)
    record_access(
        user=by,
        action=AccessEvent.Action.CASE_ASSIGN,
        request=request,
        case_reference=case.reference,
        target=caseworker.username,
    )


def case_unassign(*, case: Case, caseworker: User, by: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        remove_perm("cases.view_case", caseworker, case)
        remove_perm("cases.change_case", caseworker, case)
    record_access(
        user=by,
        action=AccessEvent.Action.CASE_UNASSIGN,
        request=request,
        case_reference=case.reference,
        target=caseworker.username,
    )


def case_erase(*, case: Case, by: User | None, request: HttpRequest | None = None) -> None:
    """Crypto-erasure: the case's data key is destroyed, so no value of it, current or historical,
    can be opened again. The reference, dates, status and amounts stay for the accounts."""
    if case.is_erased:
        raise CaseError(_("This case was erased already."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)
        released = shelter_services.case_release_beds(case=locked, by=by)
        for name in Case.SEALED_FIELDS:
            setattr(locked, name, None)
        locked.status = Case.Status.CLOSED
        locked.erased_at = timezone.now()
        locked.version += 1
        locked._change_reason = "erased"
        locked.save()
        # The keyed hashes of names and phone could still confirm a guess; history keeps copies of them.
        locked.history.all().update(legal_name_index="", chosen_name_index="", phone_index="")
        destroy_data_key(data_key=locked.data_key)
    record_access(user=by, action=AccessEvent.Action.CASE_ERASE, request=request, case_reference=locked.reference)
    shelter_services.record_beds_released(reference=locked.reference, count=released, by=by, request=request)
    case.refresh_from_db()
