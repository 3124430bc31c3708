"""Crypto-erasure of one case: `erase_case EV-2026-0042 --confirm EV-2026-0042`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
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
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the coordinator or administrator who decided the erasure; the access log names them",
        )

    def handle(self, *args, reference: str, confirm: str, by: str | None = None, **options) -> None:
        if reference != confirm:
            raise CommandError("The two references differ; nothing was erased.")
        decided_by = None
        if by is not None:
            decided_by = User.objects.filter(username=by, is_active=True).first()
            if decided_by is None or not (decided_by.is_coordinator or decided_by.is_administrator):
                raise CommandError(f"{by} is not an active coordinator or administrator; nothing was erased.")
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise CommandError(f"There is no case {reference}.")
        try:
            case_erase(case=case, by=decided_by)
        except CaseError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"{reference} is erased; its data key is destroyed."))
