"""Importing cases from a CSV file: every row is checked first, and a file with a bad row imports nothing."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from cases.models import Case
from cases.services import _create, _grant

REQUIRED_COLUMNS = (
    "legal_name",
    "chosen_name",
    "date_of_birth",
    "phone",
    "narrative",
    "intake_date",
    "risk",
    "assigned_to",
)
OPTIONAL_COLUMNS = ("reference",)
REFERENCE = re.compile(r"^EV-\d{4}-\d{4,6}$")
PHONE = re.compile(r"^\+?[0-9 ()./-]{5,30}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)


def _date(value: str, column: str, required: bool) -> datetime.date | None:
    if not value:
        if required:
            raise ValueError(f"{column} is empty")
        return None
    # The value itself is never echoed: a date of birth is personal data, and errors go to the terminal.
    try:
        if not ISO_DATE.match(value):
            raise ValueError
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{column} is not a date written like 2026-03-31") from None


def read_cases(text: str) -> ImportReport:
    """Parses and checks every row; fills report.errors with 'line N: reason' and report.rows otherwise."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [column for column in header if column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing:
        report.errors.append(f"line 1: missing columns: {', '.join(missing)}")
    if unknown:
        report.errors.append(f"line 1: unknown columns: {', '.join(unknown)}")
    if report.errors:
        return report
    reader.fieldnames = header
    caseworkers = {
        user.username: user for user in User.objects.filter(is_active=True, groups__name=Role.CASEWORKER.value)
    }
    seen_references: set[str] = set()
    today = datetime.date.today()
    first_line = reader.line_num + 1  # a quoted value may span lines: a row is named by its first
    for row in reader:
        line, first_line = first_line, reader.line_num + 1
        if None in row:
            report.errors.append(f"line {line}: more values than columns")
            continue
        values = {key: (value or "").strip() for key, value in row.items()}
        try:
            report.rows.append(_check_row(values, caseworkers, seen_references, today))
        except ValueError as error:
            report.errors.append(f"line {line}: {error}")
    if not report.rows and not report.errors:
        report.errors.append("the file has no rows")
    return report


def _check_row(values: dict[str, str], caseworkers: dict[str, User], seen: set[str], today: datetime.date) -> dict:
    if not values["legal_name"] and not values["chosen_name"]:
        raise ValueError("legal_name and chosen_name are both empty")
    for column in ("legal_name", "chosen_name"):
        if len(values[column]) > 200:
            raise ValueError(f"{column} is longer than 200 characters")
    born = _date(values["date_of_birth"], "date_of_birth", required=False)
    if born and (born > today or born.year < 1900):
        raise ValueError("date_of_birth is not a plausible date of birth")
    intake = _date(values["intake_date"], "intake_date", required=True)
    if intake > today:
        raise ValueError("intake_date is in the future")
    if values["phone"] and not PHONE.match(values["phone"]):
        raise ValueError("phone has characters a phone number does not have")
    if values["risk"] not in Case.Risk.values:
        raise ValueError(f"risk must be one of {', '.join(Case.Risk.values)}")
    caseworker = caseworkers.get(values["assigned_to"])
    if caseworker is None:
        raise ValueError(f"assigned_to {values['assigned_to']!r} is not an active caseworker")
    reference = values.get("reference", "")
    if reference:
        if not REFERENCE.match(reference):
            raise ValueError(f"reference {reference!r} is not like EV-2026-0042")
        if reference in seen:
            raise ValueError(f"reference {reference} appears twice in the file")
        if Case.objects.filter(reference=reference).exists():
            raise ValueError(f"reference {reference} exists already")
        seen.add(reference)
    return {
        "reference": reference,
        "caseworker": caseworker,
        "data": {
            "legal_name": values["legal_name"],
            "chosen_name": values["chosen_name"],
            "date_of_birth": born,
            "phone": values["phone"],
            "narrative": values["narrative"],
            "intake_date": intake,
            "risk": values["risk"],
        },
    }


def import_cases(report: ImportReport, *, progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Creates every checked row in one transaction: all of them, or none if anything fails."""
    if report.errors:
        raise ValueError("refusing to import a file with errors")
    total = len(report.rows)
    with transaction.atomic():
        for number, row in enumerate(report.rows, start=1):
            case = _create(user=None, data=row["data"], reference=row["reference"])
            _grant(case=case, caseworker=row["caseworker"])
            report.imported.append(case.reference)
            if progress is not None and (number % 100 == 0 or number == total):
                progress(number, total)
    return report.imported
