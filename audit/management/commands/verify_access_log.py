"""verify_access_log: checks the access log's hash chain from the first entry to the last.

Exit status 0 when the chain holds, 1 when it is broken, with the first
broken entry's id and what is wrong on stderr. On success it prints the head
(last id and its hash): note it somewhere outside this database, and pass it
back later with --noted to catch a log rewritten from scratch. It prints ids,
counts and hashes only, never what an entry says.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import verify_chain

NOTED = re.compile(r"^(?P<id>[0-9]+):(?P<hash>[0-9a-f]{64})$")


class Command(BaseCommand):
    help = (
        "Checks the access log's hash chain. Exit status 1, with the first broken entry, when it is broken; "
        "prints the head hash to note elsewhere."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--noted",
            metavar="ID:HASH",
            help="an entry's id and hash noted earlier from this command's output; it must still be there",
        )

    def handle(self, *args, noted: str | None = None, **options) -> None:
        anchor = None
        if noted:
            match = NOTED.match(noted.strip().lower())
            if match is None:
                raise CommandError("--noted takes ID:HASH, the way this command prints the head.")
            anchor = (int(match["id"]), match["hash"])

        report = verify_chain(noted=anchor, on_progress=self._progress)
        if report.broken is not None:
            self.stderr.write(f"The access log is BROKEN at entry {report.broken.event_id}: {report.broken.problem}.")
            self.stderr.write(f"{report.checked} entries checked; the chain holds up to entry {report.head_id}.")
            raise CommandError("The access log's hash chain is broken.", returncode=1)
        if report.head_id is None:
            self.stdout.write("The access log is empty: 0 entries checked.")
            return
        self.stdout.write(self.style.SUCCESS(f"The access log is intact: {report.checked} entries checked."))
        self.stdout.write(f"Head: {report.head_id}:{report.head_hash}")

    def _progress(self, checked: int) -> None:
        self.stdout.write(f"... {checked} entries checked so far")
        self.stdout.flush()
