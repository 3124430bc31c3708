"""Re-wraps every data key with the newest master key, online, in short batches."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from vault import crypto
from vault.keys import newest_master_key, rewrap
from vault.models import DataKey


class Command(BaseCommand):
    help = (
        "Re-wraps every data key with the newest master key (the first in PASSAGE_MASTER_KEYS or the key file). "
        "Keep the old key configured, after the new one, until this has finished."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        newest_id, _key = newest_master_key()
        pending = DataKey.objects.filter(wrapped__isnull=False).exclude(master_key_id=newest_id)
        total = pending.count()
        self.stdout.write(f"{total} data keys to re-wrap with master key {newest_id}.")
        done = 0
        last_pk = None
        while True:
            batch_ids = pending.order_by("pk")
            if last_pk is not None:
                batch_ids = batch_ids.filter(pk__gt=last_pk)
            ids = list(batch_ids.values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            last_pk = ids[-1]
            # One short transaction per batch: the application keeps running meanwhile.
            with transaction.atomic():
                for data_key in DataKey.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
                    try:
                        done += rewrap(data_key=data_key)
                    except crypto.VaultError as exc:
                        raise CommandError(f"Data key {data_key.pk}: {exc}") from None
            self.stdout.write(f"\rre-wrapped {done}/{total}", ending="")
            self.stdout.flush()
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"All data keys are wrapped with master key {newest_id}. "
                "Older master keys can now be removed from the configuration."
            )
        )
