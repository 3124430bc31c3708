"""The one way in to a safe house: who may see it, read where it is, change it.

Coordinators see every safe house with its address, contact and notes, and
manage them. A caseworker sees the active houses by code name and city only,
and a house's address only while one of the cases assigned to them is placed
there (on the night of today). Everybody else gets 404. Every read of an
address is written to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from accounts.models import User
from audit.models import AccessEvent
from audit.services import record_access
from shelters.models import Shelter


@dataclass(frozen=True)
class ShelterAccess:
    shelter: Shelter
    can_read_address: bool
    can_read_details: bool  # contact and notes: coordinators only
    can_manage: bool


def shelters_for_user(user: User) -> QuerySet[Shelter]:
    """Every safe house the user may see at all (by code name and city)."""
    if not user.is_authenticated or not user.is_active:
        return Shelter.objects.none()
    if user.is_coordinator:
        return Shelter.objects.all()
    if user.is_caseworker:
        return Shelter.objects.active()
    return Shelter.objects.none()


def get_shelter_for_user(
    user: User, pk: int, *, write: bool = False, request: HttpRequest | None = None
) -> ShelterAccess:
    """The safe house with this user's rights on it; Http404 if they may not see it (or change it,
    with `write`). Reading the address is logged."""
    found = None
    if user.is_authenticated and user.is_active:
        shelters = shelters_for_user(user)
        if user.is_caseworker and not user.is_coordinator:
            shelters = shelters.with_address_for(user, on=timezone.localdate())
        found = shelters.select_related("data_key").filter(pk=pk).first()
    if found is None or (write and not user.is_coordinator):
        record_access(
            user=user if user.is_authenticated else None,
            action=AccessEvent.Action.REFUSED,
            request=request,
            target=f"safe house {pk}",
            detail=str(AccessEvent.Action.SHELTER_VIEW),
        )
        raise Http404
    coordinator = user.is_coordinator
    can_read_address = not found.is_erased and (coordinator or bool(getattr(found, "address_visible", False)))
    if can_read_address:
        record_access(user=user, action=AccessEvent.Action.SHELTER_VIEW, request=request, target=found.code_name)
    return ShelterAccess(
        shelter=found,
        can_read_address=can_read_address,
        can_read_details=coordinator and not found.is_erased,
        can_manage=coordinator,
    )
