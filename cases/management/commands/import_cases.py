"""Imports cases from a CSV file; a file with any bad row imports nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import AccessEvent
from audit.services import record_access
from cases.importing import import_cases, read_cases
from vault.keys import key_scope


class Command(BaseCommand):
    help = (
        "Imports cases from a UTF-8 CSV file with a header row: legal_name, chosen_name, date_of_birth, phone, "
        "narrative, intake_date, risk, assigned_to[, reference]. Every bad row is reported with its line number, "
        "and then nothing is imported."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{file} does not exist.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text.") from None
        with key_scope():
            report = read_cases(text)
            if report.errors:
                for error in report.errors:
                    self.stderr.write(error)
                raise CommandError(f"{len(report.errors)} bad rows; nothing was imported.")

            def progress(done: int, total: int) -> None:
                self.stdout.write(f"\rimported {done}/{total}", ending="")
                self.stdout.flush()

            imported = import_cases(report, progress=progress)
        self.stdout.write("")
        record_access(user=None, action=AccessEvent.Action.CASE_IMPORT, detail=f"{len(imported)} cases")
        self.stdout.write(self.style.SUCCESS(f"Imported {len(imported)} cases: {imported[0]} to {imported[-1]}."))
