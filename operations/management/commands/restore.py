"""`manage.py restore FILE`: brings a backup back into an empty database and files directory."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, read_backup


class Command(BaseCommand):
    help = (
        "Restores a backup into a freshly migrated, empty database and an empty files directory "
        "(run `manage.py migrate` first). The master keys it needs must be configured."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        try:
            manifest = read_backup(file, progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(f"{exc} Nothing was restored.") from None
        self.stdout.write(self.style.SUCCESS(f"Restored the backup of {manifest['created_at']}."))
        self.stdout.write("Run `manage.py verify_access_log` to check the access log came back whole.")
