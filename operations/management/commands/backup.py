"""`manage.py backup FILE`: one sealed archive of the database and the encrypted files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, write_backup


class Command(BaseCommand):
    help = "Writes one sealed archive of every table and every encrypted file. The master keys are not in it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        if file.exists():
            raise CommandError(f"{file} exists; choose a new file name.")
        try:
            manifest = write_backup(file, progress=self.stdout.write)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        keys = ", ".join(manifest["master_keys_needed"])
        self.stdout.write(self.style.SUCCESS(f"Backup written to {file}."))
        self.stdout.write(
            "The master keys are NOT in this backup, and it cannot be opened without them "
            f"(key ids: {keys}). Keep the master keys apart from the backups: in the secret store or "
            "on paper in a safe, never on the same disk, bucket or tape. A backup with its keys opens everything."
        )
