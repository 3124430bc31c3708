"""Closes shares with lawyers whose end date has passed and removes their grants (run daily, e.g. by cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from documents.services import end_expired_shares
from vault.keys import key_scope


class Command(BaseCommand):
    help = (
        "Closes shares with lawyers whose end date has passed and removes the lawyers' grants. "
        "Access already ends with the date; this keeps the grants tidy. Safe to run at any time."
    )

    def handle(self, *args, **options) -> None:
        with key_scope():
            ended = end_expired_shares()
        self.stdout.write(f"Ended {ended} share(s) past their end date.")
