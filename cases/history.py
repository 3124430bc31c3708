"""A case's change history as people read it: who changed which field, when, from what to what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cases.models import Case

TRACKED = (*Case.SEALED_FIELDS, "status", "risk", "intake_date", "destination_country", "budget_eur")
HISTORY_LIMIT = 200


@dataclass
class FieldChange:
    name: str
    label: str
    sealed: bool
    old: Any = None
    new: Any = None


@dataclass
class Change:
    when: Any
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    reason: str
    fields: list[FieldChange] = field(default_factory=list)


def _display(case_field, value: Any) -> Any:
    choices = dict(case_field.flatchoices) if case_field.choices else None
    return choices.get(value, value) if choices else value


def case_changes(case: Case, *, show_sealed: bool) -> list[Change]:
    """Newest first. Sealed values are opened only when show_sealed (the caller checked access)."""
    records = list(
        case.history.select_related("history_user").order_by("-history_date", "-history_id")[: HISTORY_LIMIT + 1]
    )
    changes = []
    for index, record in enumerate(records[:HISTORY_LIMIT]):
        previous = records[index + 1] if index + 1 < len(records) else None
        change = Change(
            when=record.history_date,
            who=record.history_user.username if record.history_user else "",
            kind=record.history_type,
            reason="" if changed_names(record.history_change_reason) else (record.history_change_reason or ""),
        )
        for name in TRACKED:
            case_field = Case._meta.get_field(name)
            sealed = name in Case.SEALED_FIELDS
            if sealed and not show_sealed:
                # Not opened: the edit recorded which fields it changed, so name them without values.
                if name in changed_names(record.history_change_reason):
                    change.fields.append(FieldChange(name, str(case_field.verbose_name), True))
                continue
            new = getattr(record, name)
            old = getattr(previous, name) if previous is not None else None
            if previous is not None and old == new:
                continue
            if previous is None and new in (None, ""):
                continue
            change.fields.append(
                FieldChange(
                    name, str(case_field.verbose_name), sealed, _display(case_field, old), _display(case_field, new)
                )
            )
        changes.append(change)
    return changes


CHANGED_PREFIX = "changed:"


def change_reason(changed: list[str]) -> str:
    """Kept with each history row: the names (never the values) of the fields an edit changed."""
    return CHANGED_PREFIX + ",".join(sorted(changed))


def changed_names(reason: str | None) -> set[str]:
    if not reason or not reason.startswith(CHANGED_PREFIX):
        return set()
    return set(filter(None, reason[len(CHANGED_PREFIX) :].split(",")))


# ---- The work on a case: its stages, travel papers and expenses ---------------------------------------------

WORK_HISTORY_LIMIT = 500  # rows read per kind of record; a case has a few dozen


@dataclass
class WorkChange(Change):
    subject: str = ""


def _work_models():
    from cases.models import Expense, Stage, TravelPaper

    return (
        (Stage, ("status", "blocked_reason", "started_on", "ended_on", "due_on", "notes", "out_of_order_reason")),
        (TravelPaper, ("kind", "status", "applied_on", "obtained_on", "expires_on", "notes")),
        (Expense, ("stage", "amount", "currency", "rate_to_eur", "amount_eur", "spent_on", "state", "description")),
    )


def _subject(record, stage_kinds: dict[int, str]) -> str:
    from django.utils.translation import gettext as _

    from cases.models import Expense, Stage, TravelPaper

    model = record.instance_type
    if model is Stage:
        return str(dict(Stage.Kind.choices).get(record.kind, record.kind))
    if model is TravelPaper:
        return str(dict(TravelPaper.Kind.choices).get(record.kind, record.kind))
    if model is Expense:
        return _("Expense of %(amount)s %(currency)s") % {"amount": record.amount, "currency": record.currency}
    return str(model._meta.verbose_name)


def work_changes(case: Case, *, show_sealed: bool, show_money: bool) -> list[WorkChange]:
    """Changes to the case's stages, travel papers and (for those who see money) expenses, newest first:
    one query per kind of record, whatever their number. Sealed notes and descriptions are opened only when
    show_sealed; otherwise they are named when the change recorded them, without their values."""
    from cases.models import Expense, Stage

    stage_kinds = dict(Stage.objects.filter(case=case).values_list("pk", "kind"))
    kind_labels = dict(Stage.Kind.choices)
    changes: list[WorkChange] = []
    for model, tracked in _work_models():
        if model is Expense and not show_money:
            continue
        records = list(
            model.history.filter(case_id=case.pk)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")[:WORK_HISTORY_LIMIT]
        )
        previous = None
        for record in records:
            before = previous if previous is not None and previous.id == record.id else None
            previous = record
            change = WorkChange(
                when=record.history_date,
                who=record.history_user.username if record.history_user else "",
                kind=record.history_type,
                reason=record.history_change_reason or "",
                subject=_subject(record, stage_kinds),
            )
            named = changed_names(record.history_change_reason)
            for name in tracked:
                field_ = model._meta.get_field(name)
                sealed = name in model.SEALED_FIELDS
                if sealed and not show_sealed:
                    if name in named:
                        change.fields.append(FieldChange(name, str(field_.verbose_name), True))
                    continue
                attname = field_.attname
                new = getattr(record, attname)
                old = getattr(before, attname) if before is not None else None
                if before is not None and old == new:
                    continue
                if before is None and new in (None, ""):
                    continue
                if name == "stage":
                    old, new = kind_labels.get(stage_kinds.get(old), old), kind_labels.get(stage_kinds.get(new), new)
                else:
                    old, new = _display(field_, old), _display(field_, new)
                change.fields.append(FieldChange(name, str(field_.verbose_name), sealed, old, new))
            changes.append(change)
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:HISTORY_LIMIT]
