"""The one way in to a case: who may see it, read its sealed fields, change it.

Every view, export and download reaches a case through `get_case_for_user`,
which answers 404 for a case the user may not see (the same as for a case
that does not exist) and writes the read, or the refusal, to the access log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest

from accounts.models import User
from audit.models import AccessEvent
from audit.services import record_access
from cases.models import Case, CaseUserObjectPermission

REFERENCE_PATTERN = re.compile(r"EV-\d{4}-\d{4,6}")
VIEW = "view_case"
CHANGE = "change_case"


@dataclass(frozen=True)
class CaseAccess:
    case: Case
    can_read_sealed: bool  # identity, contacts, narrative, notes
    can_edit: bool  # the case's own fields, stages, expenses
    can_manage: bool  # coordinators: assignment, budget, placements
    break_glass: bool = False  # a coordinator reading sealed fields under an open break-glass


def _granted(user: User, codename: str) -> Exists:
    return Exists(
        CaseUserObjectPermission.objects.filter(content_object=OuterRef("pk"), user=user, permission__codename=codename)
    )


def _shared(user: User) -> Exists:
    """A share with this lawyer in force today (documents.CaseShare): ended or expired shares open nothing."""
    from documents.models import CaseShare  # documents depends on cases, not the other way round

    return Exists(CaseShare.objects.active().filter(case=OuterRef("pk"), lawyer=user))


def _break_glass(user: User) -> Exists:
    """An open break-glass of this coordinator for the case (operations.BreakGlass), for its hour only."""
    from operations.models import BreakGlass  # operations depends on cases, not the other way round

    return Exists(BreakGlass.objects.active().filter(case=OuterRef("pk"), coordinator=user))


def cases_for_user(user: User) -> QuerySet[Case]:
    """Every case the user may see at all: coordinators all, caseworkers those granted to them,
    lawyers those granted to them AND shared with them today."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.is_coordinator:
        return Case.objects.all()
    if user.is_lawyer:
        return Case.objects.filter(_granted(user, VIEW), _shared(user))
    if user.is_caseworker:
        return Case.objects.filter(_granted(user, VIEW))
    return Case.objects.none()


def get_case_for_user(
    user: User,
    reference: str,
    *,
    write: bool = False,
    request: HttpRequest | None = None,
    action: str = AccessEvent.Action.CASE_VIEW,
    log: bool = True,
    read_sealed: bool = False,
    log_refusal: bool = True,
) -> CaseAccess:
    """The case with its access rights; Http404 (logged as refused) if this user may not reach it.

    `read_sealed` asks for the person's data (documents, the summary): without
    it (a coordinator, an erased case) the answer is 404 too. `log=False` is for
    a caller that logs the success itself, with more detail; a refusal is
    logged here whatever `log` says.
    """
    found = None
    if user.is_authenticated and user.is_active:
        annotations = {"may_view": _granted(user, VIEW), "may_change": _granted(user, CHANGE)}
        if user.is_lawyer:
            annotations["is_shared"] = _shared(user)
        if user.is_coordinator:
            annotations["glass_open"] = _break_glass(user)
        found = Case.objects.filter(reference=reference).annotate(**annotations).select_related("data_key").first()
    access = _access(user, found) if found is not None else None
    refused = access is None or (write and not (access.can_edit or access.can_manage))
    if refused or (read_sealed and not access.can_read_sealed):
        if log_refusal:
            record_access(
                user=user if user.is_authenticated else None,
                action=AccessEvent.Action.REFUSED,
                request=request,
                # Whatever was typed in the URL is kept only if it looks like a reference (never a name).
                case_reference=reference if REFERENCE_PATTERN.fullmatch(reference) else "",
                detail=str(action),
            )
        raise Http404
    if log:
        detail = "break-glass" if access.break_glass else ""
        record_access(user=user, action=action, request=request, case_reference=found.reference, detail=detail)
    return access


def _access(user: User, case: Case) -> CaseAccess | None:
    # A lawyer reads only while the case is shared with them (an end date passed or an unsharing closes it).
    granted_view = case.may_view and (case.is_shared if user.is_lawyer else user.is_caseworker)
    granted_change = case.may_change and user.is_caseworker
    if not (granted_view or user.is_coordinator):
        return None
    glass = bool(getattr(case, "glass_open", False)) and not granted_view
    return CaseAccess(
        case=case,
        can_read_sealed=bool(granted_view or glass) and not case.is_erased,
        can_edit=bool(granted_change) and not case.is_erased,
        can_manage=user.is_coordinator,
        break_glass=glass and not case.is_erased,
    )
