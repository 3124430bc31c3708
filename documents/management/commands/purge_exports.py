"""Destroys batch-export ZIPs older than PASSAGE_EXPORT_TTL_MINUTES (run every few minutes, e.g. by cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from documents.services import purge_expired_exports


class Command(BaseCommand):
    help = (
        "Destroys the key and the file of every batch-export ZIP past its time, and marks jobs stuck "
        "for longer (a restarted process) as failed. Passage also does this whenever an export page is opened."
    )

    def handle(self, *args, **options) -> None:
        purged = purge_expired_exports()
        self.stdout.write(f"Destroyed {purged} expired export(s).")
