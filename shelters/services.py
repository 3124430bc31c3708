"""What happens to safe houses and stays in them. Each function runs in a transaction.

The rule that matters most: a safe house never holds more people than it has
beds, on any night, even when two coordinators place somebody in its last bed
at the same moment. Every function that adds or lengthens a stay locks first
the case's row, then the safe house's row (`select_for_update`, always in that
order, so two of them never wait on each other), and only then reads the
occupancy it checks. A second coordinator placing in the same house waits for
the first one's transaction to end, and then sees the stay it added. On SQLite
the transaction takes the database's write lock when it starts (IMMEDIATE
mode, config.env), which serialises writers the same way.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AccessEvent
from audit.services import record_access
from cases.models import Case
from shelters.models import KeepApart, Placement, PlacementRequest, Shelter
from vault.keys import destroy_data_key

SHELTER_FIELDS = ("code_name", "city", "capacity", "status", "monthly_cost_eur", *Shelter.SEALED_FIELDS)


class PlacementError(Exception):
    """A rule of placing people was broken; the message is for the coordinator or caseworker."""


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "Y-m-d")


# Safe houses


def shelter_create(*, by: User, data: dict[str, Any], request: HttpRequest | None = None) -> Shelter:
    """Adds a safe house. Its address, contact and notes are sealed with a new data key of its own."""
    values = {name: value for name, value in data.items() if name in SHELTER_FIELDS}
    if values.get("capacity") is None or values["capacity"] < 1:
        raise PlacementError(_("A safe house has at least one bed."))
    with transaction.atomic():
        shelter = Shelter(**values)
        shelter._history_user = by
        shelter._change_reason = "created"
        shelter.save()
    record_access(user=by, action=AccessEvent.Action.SHELTER_CHANGE, request=request, target=shelter.code_name)
    return shelter


def shelter_update(
    *, shelter: Shelter, by: User, changes: dict[str, Any], request: HttpRequest | None = None
) -> Shelter:
    """Changes a safe house. Fewer beds than are booked on some night, or closing a house
    somebody is (or will be) placed in, is refused.

    Locks the safe house's row (select_for_update), so no placement can be added
    between the check and the change.
    """
    today = timezone.localdate()
    with transaction.atomic():
        locked = Shelter.objects.select_for_update().get(pk=shelter.pk)
        if locked.is_erased:
            raise PlacementError(_("The details of this safe house were erased; it cannot be changed."))
        for name, value in changes.items():
            if name not in SHELTER_FIELDS:
                raise PlacementError(f"{name} cannot be changed here.")
            setattr(locked, name, value)
        if locked.capacity is None or locked.capacity < 1:
            raise PlacementError(_("A safe house has at least one bed."))
        booked = Placement.objects.filter(shelter=locked).open_on(today)
        if locked.status == Shelter.Status.CLOSED and booked.exists():
            raise PlacementError(
                _("%(shelter)s cannot be closed: people are placed there now or later. Move them first.")
                % {"shelter": locked.code_name}
            )
        if "capacity" in changes:
            crowded = first_night_at_least(_spans(booked.overlapping(today, None)), today, None, locked.capacity + 1)
            if crowded is not None:
                raise PlacementError(
                    _("%(shelter)s has more people than %(beds)s booked on %(day)s. Move somebody first.")
                    % {"shelter": locked.code_name, "beds": locked.capacity, "day": _day(crowded)}
                )
        locked._history_user = by
        locked.save()
    record_access(user=by, action=AccessEvent.Action.SHELTER_CHANGE, request=request, target=locked.code_name)
    return locked


def shelter_erase(*, shelter: Shelter, by: User | None, request: HttpRequest | None = None) -> None:
    """Crypto-erasure of a closed safe house's address, contact and notes: its data key is
    destroyed, so no value of them, current or in history, can be opened again. The code
    name, city, beds and stays remain for the accounts."""
    with transaction.atomic():
        locked = Shelter.objects.select_for_update().select_related("data_key").get(pk=shelter.pk)
        if locked.is_erased:
            raise PlacementError(_("The details of this safe house were erased already."))
        if locked.status != Shelter.Status.CLOSED:
            raise PlacementError(_("Close the safe house before erasing its details."))
        for name in Shelter.SEALED_FIELDS:
            setattr(locked, name, None)
        locked.erased_at = timezone.now()
        locked._history_user = by
        locked._change_reason = "erased"
        locked.save()
        destroy_data_key(data_key=locked.data_key)
    record_access(
        user=by, action=AccessEvent.Action.SHELTER_CHANGE, request=request, target=locked.code_name, detail="erased"
    )
    shelter.refresh_from_db()


# Occupancy arithmetic


def _spans(placements: QuerySet[Placement]) -> list[tuple[datetime.date, datetime.date | None]]:
    return list(placements.values_list("starts_on", "ends_on"))


def first_night_at_least(
    spans: Iterable[tuple[datetime.date, datetime.date | None]],
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    people: int,
) -> datetime.date | None:
    """The first night from `starts_on` up to `ends_on` (None: for good) on which the stays in
    `spans` hold at least `people` beds, or None if there is no such night.

    Occupancy only rises on a night somebody arrives, so it is enough to look at
    the first night of the range and at each arrival within it.
    """
    changes: dict[datetime.date, int] = defaultdict(int)
    for span_start, span_end in spans:
        if span_end is not None and span_end <= span_start:
            continue  # cancelled before the first night
        if span_end is not None and span_end <= starts_on:
            continue
        if ends_on is not None and span_start >= ends_on:
            continue
        changes[max(span_start, starts_on)] += 1
        if span_end is not None and (ends_on is None or span_end < ends_on):
            changes[span_end] -= 1
    taken = 0
    for night in sorted(changes):
        taken += changes[night]
        if taken >= people:
            return night
    return None


# Placing


def _lock_case(case: Case) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.is_erased:
        raise PlacementError(_("This case was erased."))
    if locked.status == Case.Status.CLOSED:
        raise PlacementError(_("%(reference)s is closed.") % {"reference": locked.reference})
    return locked


def _lock_shelter(shelter: Shelter) -> Shelter:
    locked = Shelter.objects.select_for_update().get(pk=shelter.pk)
    if not locked.is_active:
        raise PlacementError(_("%(shelter)s is closed: nobody can be placed there.") % {"shelter": locked.code_name})
    return locked


def _check_stay(
    *,
    case: Case,
    shelter: Shelter,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    ignore: Placement | None = None,
) -> None:
    """Refuses a stay of `case` in `shelter` over these nights if the case is placed elsewhere
    then, a case it must be kept apart from is there then, or a night would be over capacity.
    Both rows must be locked by the caller."""
    others = Placement.objects.exclude(pk=ignore.pk) if ignore is not None else Placement.objects.all()

    clash = others.filter(case=case).overlapping(starts_on, ends_on).select_related("shelter").first()
    if clash is not None:
        values = {"reference": case.reference, "shelter": clash.shelter.code_name, "starts": _day(clash.starts_on)}
        if clash.ends_on is None:
            message = _(
                "%(reference)s is already placed in %(shelter)s from %(starts)s. Move the case, or end that stay first."
            )
        else:
            values["ends"] = _day(clash.ends_on)
            message = _(
                "%(reference)s is already placed in %(shelter)s from %(starts)s until %(ends)s. "
                "Move the case, or end that stay first."
            )
        raise PlacementError(message % values)

    pairs = KeepApart.objects.filter(Q(case_a=case) | Q(case_b=case))
    partners = {pair.case_b_id if pair.case_a_id == case.pk else pair.case_a_id: pair for pair in pairs}
    if partners:
        near = (
            others.filter(shelter=shelter, case_id__in=list(partners))
            .overlapping(starts_on, ends_on)
            .select_related("case")
            .first()
        )
        if near is not None:
            raise PlacementError(
                _(
                    "%(reference)s must be kept apart from %(other)s (%(reason)s), who is placed in %(shelter)s "
                    "on some of these nights. Choose another safe house or other dates."
                )
                % {
                    "reference": case.reference,
                    "other": near.case.reference,
                    "reason": partners[near.case_id].get_reason_display().lower(),
                    "shelter": shelter.code_name,
                }
            )

    full = first_night_at_least(
        _spans(others.filter(shelter=shelter).overlapping(starts_on, ends_on)), starts_on, ends_on, shelter.capacity
    )
    if full is not None:
        raise PlacementError(
            _("%(shelter)s has no free bed on %(day)s: all %(beds)s beds are taken.")
            % {"shelter": shelter.code_name, "day": _day(full), "beds": shelter.capacity}
        )


def _new_placement(
    *, case: Case, shelter: Shelter, starts_on: datetime.date, ends_on: datetime.date | None, by: User | None
) -> Placement:
    if ends_on is not None and ends_on <= starts_on:
        raise PlacementError(_("A stay ends after the day it starts."))
    _check_stay(case=case, shelter=shelter, starts_on=starts_on, ends_on=ends_on)
    placement = Placement(case=case, shelter=shelter, starts_on=starts_on, ends_on=ends_on, created_by=by)
    placement._history_user = by
    placement.save()
    return placement


def _log_placement(*, by: User | None, request: HttpRequest | None, placement: Placement, what: str) -> None:
    record_access(
        user=by,
        action=AccessEvent.Action.PLACEMENT,
        request=request,
        case_reference=placement.case.reference,
        target=placement.shelter.code_name,
        detail=what,
    )


def case_place_in_shelter(
    *,
    case: Case,
    shelter: Shelter,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    by: User | None,
    request: HttpRequest | None = None,
) -> Placement:
    """Places a case in a safe house from `starts_on` (the first night) until `ends_on` (the
    day of leaving; None: until further notice).

    Locks the case's row, then the safe house's row (select_for_update), then checks,
    over every night of the stay: the case is not placed anywhere else, nobody it must
    be kept apart from is in that house, and a bed is free. Two coordinators placing in
    the last bed at once are thus served one after the other, and the second is refused.
    """
    with transaction.atomic():
        locked_case = _lock_case(case)
        locked_shelter = _lock_shelter(shelter)
        placement = _new_placement(
            case=locked_case, shelter=locked_shelter, starts_on=starts_on, ends_on=ends_on, by=by
        )
    _log_placement(by=by, request=request, placement=placement, what=f"placed from {starts_on}")
    return placement


def _move(*, case: Case, shelter: Shelter, on: datetime.date, by: User | None) -> tuple[Placement, Placement]:
    """Ends the stay of the (locked) case covering the night of `on` that day and starts one in
    `shelter` the same day, keeping the planned day of leaving. Returns (the ended, the new)."""
    current = Placement.objects.filter(case=case).covering(on).select_related("shelter").first()
    if current is None:
        raise PlacementError(
            _("%(reference)s is not in a safe house on %(day)s: place the case instead.")
            % {"reference": case.reference, "day": _day(on)}
        )
    if current.shelter_id == shelter.pk:
        raise PlacementError(
            _("%(reference)s is in %(shelter)s already.")
            % {"reference": case.reference, "shelter": current.shelter.code_name}
        )
    locked_shelter = _lock_shelter(shelter)
    planned_end = current.ends_on
    current.ends_on = on
    current._history_user = by
    current._change_reason = "moved"
    current.save(update_fields=["ends_on"])
    placement = _new_placement(case=case, shelter=locked_shelter, starts_on=on, ends_on=planned_end, by=by)
    return current, placement


def case_move_to_shelter(
    *,
    case: Case,
    shelter: Shelter,
    on: datetime.date,
    by: User | None,
    request: HttpRequest | None = None,
) -> Placement:
    """Moves a case on day `on`: its stay covering that night ends that day and a stay in
    `shelter` starts the same day, keeping the planned day of leaving. Both happen in one
    transaction, or neither.

    Locks the case's row, then the new safe house's row (select_for_update), like placing.
    The house being left is not locked: a bed freed a moment late only makes another
    coordinator's check stricter, never looser.
    """
    with transaction.atomic():
        locked_case = _lock_case(case)
        left, placement = _move(case=locked_case, shelter=shelter, on=on, by=by)
    _log_placement(by=by, request=request, placement=placement, what=f"moved from {left.shelter.code_name} on {on}")
    return placement


def placement_end(
    *, placement: Placement, on: datetime.date, by: User | None, request: HttpRequest | None = None
) -> Placement:
    """Sets the day a stay ends (the day of leaving). Ending it on its first day cancels it.
    A later day than planned lengthens the stay, which is checked like a new one over the
    added nights, under the same locks (the case's row, then the safe house's)."""
    with transaction.atomic():
        locked_case = Case.objects.select_for_update().get(pk=placement.case_id)
        locked = Placement.objects.select_for_update().select_related("shelter").get(pk=placement.pk)
        if on < locked.starts_on:
            raise PlacementError(_("A stay cannot end before it starts (%(day)s).") % {"day": _day(locked.starts_on)})
        if locked.ends_on is not None and locked.ends_on < timezone.localdate():
            raise PlacementError(_("This stay is over already."))
        if locked.ends_on is not None and on > locked.ends_on:
            shelter = _lock_shelter(locked.shelter)
            if locked_case.is_erased or locked_case.status == Case.Status.CLOSED:
                raise PlacementError(_("%(reference)s is closed.") % {"reference": locked_case.reference})
            _check_stay(case=locked_case, shelter=shelter, starts_on=locked.ends_on, ends_on=on, ignore=locked)
        locked.ends_on = on
        locked._history_user = by
        locked._change_reason = "cancelled" if on == locked.starts_on else "ended"
        locked.save(update_fields=["ends_on"])
    locked.case = locked_case
    _log_placement(by=by, request=request, placement=locked, what=f"ends on {on}")
    return locked


def case_release_beds(*, case: Case, by: User | None) -> int:
    """Frees what a case holds in the safe houses when it is closed or erased: a stay under way ends
    today, one planned for later is cancelled, and a request still waiting is withdrawn. Returns how
    many stays and requests were let go. Runs inside the caller's transaction, which holds the case's
    row lock; it locks the stays and requests of the case after it, in the same order as placing does.
    The caller logs it with record_beds_released once that transaction is over."""
    today = timezone.localdate()
    released = 0
    stays = (
        Placement.objects.select_for_update().filter(case=case).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
    )
    for stay in stays.order_by("pk"):
        stay.ends_on = max(stay.starts_on, today)
        stay._history_user = by
        stay._change_reason = "cancelled" if stay.ends_on == stay.starts_on else "ended"
        stay.save(update_fields=["ends_on"])
        released += 1
    waiting = PlacementRequest.objects.select_for_update().filter(case=case, status=PlacementRequest.Status.PENDING)
    for place_request in waiting.order_by("pk"):
        place_request.status = PlacementRequest.Status.WITHDRAWN
        place_request.decided_by = by
        place_request.decided_at = timezone.now()
        place_request._history_user = by
        place_request.save()
        released += 1
    return released


def record_beds_released(*, reference: str, count: int, by: User | None, request: HttpRequest | None) -> None:
    if count:
        record_access(
            user=by,
            action=AccessEvent.Action.PLACEMENT,
            request=request,
            case_reference=reference,
            detail=f"case closed: {count} stays and requests let go",
        )


# Requests for a place


def place_request_create(
    *,
    case: Case,
    wanted_from: datetime.date,
    note: str,
    by: User,
    request: HttpRequest | None = None,
) -> PlacementRequest:
    """A caseworker asks for a place for their case. One request per case waits at a time."""
    if wanted_from < timezone.localdate():
        raise PlacementError(_("A place can be wanted from today on, not in the past."))
    if case.is_erased or case.status == Case.Status.CLOSED:
        raise PlacementError(_("%(reference)s is closed.") % {"reference": case.reference})
    try:
        with transaction.atomic():
            place_request = PlacementRequest(case=case, wanted_from=wanted_from, note=note, requested_by=by)
            place_request._history_user = by
            place_request.save()
    except IntegrityError:
        raise PlacementError(_("A request for this case is waiting already.")) from None
    record_access(
        user=by,
        action=AccessEvent.Action.PLACE_REQUEST,
        request=request,
        case_reference=case.reference,
        detail=f"requested from {wanted_from}",
    )
    return place_request


def _lock_pending(place_request: PlacementRequest) -> PlacementRequest:
    locked = PlacementRequest.objects.select_for_update().get(pk=place_request.pk)
    if not locked.is_pending:
        raise PlacementError(_("This request was decided already."))
    return locked


def place_request_grant(
    *,
    place_request: PlacementRequest,
    shelter: Shelter,
    starts_on: datetime.date,
    by: User,
    request: HttpRequest | None = None,
) -> Placement:
    """Grants a request: places the case from `starts_on` (or moves it there, if it is in
    another house that night), in the same transaction as the decision.

    Locks the request's row first (so it is decided once), then the case's and the safe
    house's rows as placing does.
    """
    with transaction.atomic():
        locked = _lock_pending(place_request)
        locked_case = _lock_case(locked.case)
        if Placement.objects.filter(case=locked_case).covering(starts_on).exists():
            _left, placement = _move(case=locked_case, shelter=shelter, on=starts_on, by=by)
        else:
            locked_shelter = _lock_shelter(shelter)
            placement = _new_placement(
                case=locked_case, shelter=locked_shelter, starts_on=starts_on, ends_on=None, by=by
            )
        locked.status = PlacementRequest.Status.GRANTED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.placement = placement
        locked._history_user = by
        locked.save()
    record_access(
        user=by,
        action=AccessEvent.Action.PLACE_REQUEST,
        request=request,
        case_reference=locked_case.reference,
        target=shelter.code_name,
        detail=f"granted from {starts_on}",
    )
    return placement


def place_request_decline(
    *, place_request: PlacementRequest, reason: str, by: User, request: HttpRequest | None = None
) -> PlacementRequest:
    """Declines a request, with a reason the caseworker reads. Locks the request's row."""
    reason = reason.strip()
    if not reason:
        raise PlacementError(_("Say why the request is declined."))
    with transaction.atomic():
        locked = _lock_pending(place_request)
        locked.status = PlacementRequest.Status.DECLINED
        locked.decline_reason = reason
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked._history_user = by
        locked.save()
    record_access(
        user=by,
        action=AccessEvent.Action.PLACE_REQUEST,
        request=request,
        case_reference=place_request.case.reference,
        detail="declined",
    )
    return locked


def place_request_withdraw(
    *, place_request: PlacementRequest, by: User, request: HttpRequest | None = None
) -> PlacementRequest:
    """The caseworker takes back a request still waiting. Locks the request's row."""
    with transaction.atomic():
        locked = _lock_pending(place_request)
        locked.status = PlacementRequest.Status.WITHDRAWN
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked._history_user = by
        locked.save()
    record_access(
        user=by,
        action=AccessEvent.Action.PLACE_REQUEST,
        request=request,
        case_reference=place_request.case.reference,
        detail="withdrawn",
    )
    return locked


# Cases kept apart


def keep_apart_add(
    *, case: Case, other: Case, reason: str, by: User, request: HttpRequest | None = None
) -> tuple[KeepApart, list[str]]:
    """Marks two cases to be kept apart. Returns the pair and the safe houses where their stays
    overlap already (from today on), which the coordinator must resolve by moving one.

    Locks both case rows (select_for_update, lower id first), as placing either case does, so a
    placement of one of them cannot slip past the new mark unseen: it waits, then is checked
    against it; and the overlap returned is the one at the time the mark is saved.
    """
    if case.pk == other.pk:
        raise PlacementError(_("A case cannot be kept apart from itself."))
    if reason not in KeepApart.Reason.values:
        raise PlacementError(_("Choose why these cases must be kept apart."))
    try:
        with transaction.atomic():
            first, second = Case.objects.select_for_update().filter(pk__in=[case.pk, other.pk]).order_by("pk")
            pair = KeepApart(case_a=first, case_b=second, reason=reason, created_by=by)
            pair._history_user = by
            pair.save()
            sharing = sharing_houses(first, second, since=timezone.localdate())
    except IntegrityError:
        raise PlacementError(
            _("%(reference)s and %(other)s are kept apart already.")
            % {"reference": case.reference, "other": other.reference}
        ) from None
    record_access(
        user=by,
        action=AccessEvent.Action.PLACEMENT,
        request=request,
        case_reference=case.reference,
        target=other.reference,
        detail="kept apart",
    )
    return pair, sharing


def sharing_houses(case: Case, other: Case, *, since: datetime.date) -> list[str]:
    """Code names of the safe houses where both cases have stays overlapping, from `since` on."""
    houses = []
    theirs = list(Placement.objects.filter(case=other).open_on(since).values_list("shelter_id", "starts_on", "ends_on"))
    for placement in Placement.objects.filter(case=case).open_on(since).select_related("shelter"):
        for shelter_id, starts_on, ends_on in theirs:
            if shelter_id != placement.shelter_id:
                continue
            if (ends_on is None or ends_on > placement.starts_on) and (
                placement.ends_on is None or placement.ends_on > starts_on
            ):
                houses.append(placement.shelter.code_name)
    return sorted(set(houses))


def keep_apart_remove(*, pair: KeepApart, by: User, request: HttpRequest | None = None) -> None:
    """Lifts a keep-apart mark. The row goes; its history stays."""
    with transaction.atomic():
        pair._history_user = by
        references = (pair.case_a.reference, pair.case_b.reference)
        pair.delete()
    record_access(
        user=by,
        action=AccessEvent.Action.PLACEMENT,
        request=request,
        case_reference=references[0],
        target=references[1],
        detail="no longer kept apart",
    )
