"""Stages of a case and the travel papers inside one of them: the rules of moving a case along.

Shelter, food, clothing and psychological support run side by side: any of
them may be in any state. Travel documents, evacuation, asylum application
and resettled follow each other: marking one done while an earlier one is
neither done nor "not needed" is allowed only with a reason, which is kept
(sealed) on the stage. Every change is a save with history, and each change
of a case's stages is written to the access log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AccessEvent
from audit.services import record_access
from cases.history import change_reason
from cases.models import SEQUENTIAL_STAGES, STAGE_POSITION, Case, Stage, TravelPaper

# Dates before this are typos (a year typed as 0226 or 1926), not history.
EARLIEST_DATE = datetime.date(2000, 1, 1)


class StageError(Exception):
    """A rule of stage work was broken. `errors` maps form field names ("" for the whole form) to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = {"": errors} if isinstance(errors, str) else errors
        super().__init__(" ".join(self.errors.values()))


class OutOfOrder(StageError):
    """A later stage of the way out is being marked done before an earlier one: a reason is needed."""


class StaleStage(StageError):
    """Somebody changed the stage after this form was loaded."""


def create_stages(*, case: Case, user: User | None = None) -> list[Stage]:
    """One stage row per kind, not started, for a case being opened (inside its transaction)."""
    stages = []
    for kind in Stage.Kind.values:
        stage = Stage(case=case, data_key_id=case.data_key_id, kind=kind)
        stage._change_reason = "opened"
        if user is not None:
            stage._history_user = user
        stage.save()
        stages.append(stage)
    return stages


def stage_label(kind: str) -> str:
    return str(Stage.Kind(kind).label)


def earlier_unfinished(stages: Iterable[Stage], kind: str) -> list[Stage]:
    """The stages of the way out before `kind` that are neither done nor not needed."""
    if kind not in SEQUENTIAL_STAGES:
        return []
    position = STAGE_POSITION[kind]
    return [
        stage
        for stage in stages
        if stage.kind in SEQUENTIAL_STAGES
        and stage.position < position
        and stage.status not in (Stage.Status.DONE, Stage.Status.NOT_NEEDED)
    ]


def _check_date(errors: dict[str, str], name: str, value: datetime.date | None, *, past_only: bool) -> None:
    if value is None:
        return
    if value < EARLIEST_DATE:
        errors[name] = _("Check the year: %(date)s is too long ago.") % {"date": value.isoformat()}
    elif past_only and value > timezone.localdate():
        errors[name] = _("This date cannot be in the future.")


@dataclass
class StageChange:
    """What a stage form asks for. `notes` None leaves the notes as they are."""

    status: str
    blocked_reason: str = ""
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    due_on: datetime.date | None = None
    notes: str | None = None
    out_of_order_reason: str = ""
    changed: list[str] = field(default_factory=list)


def _apply(stage: Stage, change: StageChange, *, today: datetime.date) -> dict[str, str]:
    """Sets the change on the stage, reconciling dates with the status; returns the errors, if any."""
    errors: dict[str, str] = {}
    if change.status not in Stage.Status.values:
        return {"status": _("Choose one of the statuses of the list.")}
    if change.status == Stage.Status.BLOCKED:
        if change.blocked_reason not in Stage.BlockedReason.values:
            errors["blocked_reason"] = _("Say what the stage is waiting for.")
    else:
        change.blocked_reason = ""  # a reason left in the form from before means nothing now

    started, ended = change.started_on, change.ended_on
    if change.status in (Stage.Status.NOT_STARTED,) and started is not None:
        if started == stage.started_on:  # moved back to "not started": the old date goes
            started = None
        else:
            errors["started_on"] = _("A stage not started yet has no start date. Clear it, or choose a status.")
    if change.status not in (Stage.Status.DONE, Stage.Status.NOT_NEEDED) and ended is not None:
        if ended == stage.ended_on:  # reopened: the old end date goes
            ended = None
        else:
            errors["ended_on"] = _("Only a stage that is done has an end date. Clear it, or mark the stage done.")
    if change.status in (Stage.Status.IN_PROGRESS, Stage.Status.BLOCKED) and started is None:
        started = today
    if change.status == Stage.Status.DONE and ended is None:
        ended = today
    _check_date(errors, "started_on", started, past_only=True)
    _check_date(errors, "ended_on", ended, past_only=True)
    _check_date(errors, "due_on", change.due_on, past_only=False)
    if started and ended and ended < started and "ended_on" not in errors:
        errors["ended_on"] = _("The end date is before the start date.")

    values = {
        "status": change.status,
        "blocked_reason": change.blocked_reason,
        "started_on": started,
        "ended_on": ended,
        "due_on": change.due_on,
    }
    for name, value in values.items():
        if getattr(stage, name) != value:
            change.changed.append(name)
            setattr(stage, name, value)
    if change.notes is not None and change.notes != (stage.notes or ""):
        change.changed.append("notes")
        stage.notes = change.notes
    return errors


def stage_update(
    *,
    case: Case,
    kind: str,
    user: User,
    expected_version: int,
    change: StageChange,
    request: HttpRequest | None = None,
) -> Stage:
    """Changes one stage of the case, or raises StageError (nothing saved).

    Locks every stage row of the case (select_for_update, in pipeline order) so
    two people marking stages done at once both see the other's change when the
    order of the way out is checked.
    """
    if kind not in Stage.Kind.values:
        raise StageError({"": _("There is no such stage.")})
    if case.is_erased:
        raise StageError(_("This case was erased."))
    today = timezone.localdate()
    with transaction.atomic():
        stages = list(Stage.objects.select_for_update().filter(case=case).order_by("position"))
        stage = next((stage for stage in stages if stage.kind == kind), None)
        if stage is None:
            raise StageError(_("This case has no such stage."))
        if stage.version != expected_version:
            raise StaleStage(
                _("Somebody else changed this stage after you loaded the page. It is shown as they left it.")
            )
        was_done = stage.status == Stage.Status.DONE
        errors = _apply(stage, change, today=today)
        if errors:
            raise StageError(errors)
        if stage.status == Stage.Status.DONE and not was_done:
            earlier = earlier_unfinished(stages, kind)
            reason = change.out_of_order_reason.strip()
            if earlier and not reason:
                raise OutOfOrder(
                    {
                        "out_of_order_reason": _(
                            "%(earlier)s is not done yet. Say why %(stage)s is done before it; the reason is kept."
                        )
                        % {
                            "earlier": ", ".join(stage_label(other.kind) for other in earlier),
                            "stage": stage_label(kind),
                        }
                    }
                )
            if earlier:
                stage.out_of_order_reason = reason
                change.changed.append("out_of_order_reason")
        if not change.changed:
            return stage
        stage.version += 1
        stage._change_reason = change_reason(change.changed)
        stage._history_user = user
        stage.save()
    record_access(
        user=user,
        action=AccessEvent.Action.STAGE_UPDATE,
        request=request,
        case_reference=case.reference,
        target=kind,
        detail=stage.status,
    )
    return stage


# ---- Travel papers -----------------------------------------------------------------------------------------


@dataclass
class PaperValues:
    kind: str
    status: str
    applied_on: datetime.date | None = None
    obtained_on: datetime.date | None = None
    expires_on: datetime.date | None = None
    notes: str | None = None


def _check_paper(values: PaperValues) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.kind not in TravelPaper.Kind.values:
        errors["kind"] = _("Choose one of the papers of the list.")
    if values.status not in TravelPaper.Status.values:
        errors["status"] = _("Choose one of the statuses of the list.")
    _check_date(errors, "applied_on", values.applied_on, past_only=True)
    _check_date(errors, "obtained_on", values.obtained_on, past_only=True)
    _check_date(errors, "expires_on", values.expires_on, past_only=False)
    if values.applied_on and values.obtained_on and values.obtained_on < values.applied_on:
        errors.setdefault("obtained_on", _("It cannot be obtained before it was applied for."))
    if values.obtained_on and values.expires_on and values.expires_on <= values.obtained_on:
        errors.setdefault("expires_on", _("It cannot expire before it was obtained."))
    if values.status != TravelPaper.Status.OBTAINED and values.obtained_on is not None:
        errors.setdefault("obtained_on", _("Only a paper obtained has a date obtained. Clear it, or mark it obtained."))
    return errors


def _set_paper(paper: TravelPaper, values: PaperValues) -> list[str]:
    changed = []
    for name in ("kind", "status", "applied_on", "obtained_on", "expires_on"):
        if getattr(paper, name) != getattr(values, name):
            changed.append(name)
            setattr(paper, name, getattr(values, name))
    if values.notes is not None and values.notes != (paper.notes or ""):
        changed.append("notes")
        paper.notes = values.notes
    return changed


def paper_add(*, case: Case, user: User, values: PaperValues, request: HttpRequest | None = None) -> TravelPaper:
    """Adds a paper to the travel-documents checklist, or raises StageError (nothing saved)."""
    if case.is_erased:
        raise StageError(_("This case was erased."))
    errors = _check_paper(values)
    if errors:
        raise StageError(errors)
    with transaction.atomic():
        paper = TravelPaper(case=case, data_key_id=case.data_key_id)
        _set_paper(paper, values)
        paper._change_reason = "added"
        paper._history_user = user
        paper.save()
    record_access(
        user=user,
        action=AccessEvent.Action.PAPER_UPDATE,
        request=request,
        case_reference=case.reference,
        target=paper.kind,
        detail="added",
    )
    return paper


def paper_update(
    *, paper: TravelPaper, user: User, values: PaperValues, request: HttpRequest | None = None
) -> TravelPaper:
    """Changes a paper of the checklist, or raises StageError (nothing saved)."""
    if paper.case.is_erased:
        raise StageError(_("This case was erased."))
    errors = _check_paper(values)
    if errors:
        raise StageError(errors)
    with transaction.atomic():
        changed = _set_paper(paper, values)
        if not changed:
            return paper
        paper._change_reason = change_reason(changed)
        paper._history_user = user
        paper.save()
    record_access(
        user=user,
        action=AccessEvent.Action.PAPER_UPDATE,
        request=request,
        case_reference=paper.case.reference,
        target=paper.kind,
        detail=paper.status,
    )
    return paper


def paper_delete(*, paper: TravelPaper, user: User, request: HttpRequest | None = None) -> None:
    """Removes a paper put on the list by mistake; its history keeps it."""
    reference, kind = paper.case.reference, paper.kind
    with transaction.atomic():
        paper._change_reason = "removed"
        paper._history_user = user
        paper.delete()
    record_access(
        user=user,
        action=AccessEvent.Action.PAPER_UPDATE,
        request=request,
        case_reference=reference,
        target=kind,
        detail="removed",
    )


# ---- What the case page shows ------------------------------------------------------------------------------


@dataclass
class StageBoard:
    stages: list[Stage]
    papers: list[TravelPaper]
    current: Stage | None

    @property
    def parallel(self) -> list[Stage]:
        return [stage for stage in self.stages if not stage.is_sequential]

    @property
    def sequential(self) -> list[Stage]:
        return [stage for stage in self.stages if stage.is_sequential]

    @property
    def overdue(self) -> list[Stage]:
        return [stage for stage in self.stages if stage.is_overdue]

    @property
    def expiring_papers(self) -> list[TravelPaper]:
        return [paper for paper in self.papers if paper.is_expiring_soon]


def current_stage(stages: list[Stage]) -> Stage | None:
    """The same rule as CaseQuerySet.with_current_stage(), on stages already loaded (in pipeline order)."""
    active = [stage for stage in stages if stage.status in (Stage.Status.IN_PROGRESS, Stage.Status.BLOCKED)]
    if active:
        return min(active, key=lambda stage: (not stage.is_sequential, stage.position))
    waiting = [stage for stage in stages if stage.status == Stage.Status.NOT_STARTED]
    if waiting:
        return waiting[0]
    done = [stage for stage in stages if stage.status == Stage.Status.DONE]
    return done[-1] if done else None


def stage_board(case: Case) -> StageBoard:
    """The case's stages in pipeline order and its travel papers: two queries."""
    stages = list(Stage.objects.filter(case=case).order_by("position"))
    papers = list(TravelPaper.objects.filter(case=case).order_by("pk"))
    for row in (*stages, *papers):
        row.case = case  # already loaded: opening a sealed field needs no other query
    return StageBoard(stages=stages, papers=papers, current=current_stage(stages))


LIST_FIGURES = ("current_stage", "current_stage_status", "has_overdue_stage", "has_blocked_stage", "has_expiring_paper")


def with_list_figures(cases: list[Case], *, money: bool) -> list[Case]:
    """Sets on each case of a page what a list shows: the current stage, the flags and (if `money`) spent_eur.

    One query for the page, by primary key: the subqueries run for these rows
    only, not for every case before the page is chosen (which PostgreSQL may do
    when they sit in the same query as the sort and the limit).
    """
    if not cases:
        return cases
    figures = Case.objects.filter(pk__in=[case.pk for case in cases]).with_current_stage(status=True).with_flags()
    names = list(LIST_FIGURES)
    if money:
        figures = figures.with_spending()
        names.append("spent_eur")
    found = {row["pk"]: row for row in figures.order_by().values("pk", *names)}
    for case in cases:
        for name in names:
            setattr(case, name, found.get(case.pk, {}).get(name))
    return cases
