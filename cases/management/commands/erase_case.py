"""Crypto-erasure of one case: `erase_case EV-2026-0042 --confirm EV-2026-0042`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cases.models import Case
from cases.services import CaseError, case_erase


class Command(BaseCommand):
    help = (
        "Erases a case for good: destroys its data key, so none of its personal data, current or in history, "
        "can ever be read again. The reference, dates and amounts stay. Type the reference twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("reference")
        parser.add_argument("--confirm", required=True, metavar="REFERENCE", help="the same reference again")

    def handle(self, *args, reference: str, confirm: str, **options) -> None:
        if reference != confirm:
            raise CommandError("The two references differ; nothing was erased.")
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise CommandError(f"There is no case {reference}.")
        try:
            case_erase(case=case, by=None)
        except CaseError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"{reference} is erased; its data key is destroyed."))
