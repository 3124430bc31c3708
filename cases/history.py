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
