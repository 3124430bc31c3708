"""Backup and restore: a round trip after which every sealed value, history row and document opens."""

from __future__ import annotations

import base64
import datetime
import gzip
import io
import json
import os
import tarfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from PIL import Image

from accounts.models import User
from audit.services import verify_chain
from cases.models import Case
from cases.services import case_update
from tests.conftest import SEALED_VALUES
from vault.fields import SealedField
from vault.keys import key_scope
from vault.models import SealedModel
from vault.stream import OpeningReader, SealingWriter

pytestmark = pytest.mark.django_db

NOTE = "Stage-note-Fictional: the Vorbl crossing is watched."
DESCRIPTION = "Expense-Fictional: a bus ticket to Quuxgrad."
ADDRESS = "Heronhaus, Reed lane 3, Fictionburg"
REQUEST_NOTE = "Request-Fictional: ground floor, a bad knee."


@pytest.fixture
def files_dir(settings, tmp_path):
    root = tmp_path / "files"
    settings.PASSAGE_FILES_DIR = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "vault.storage.SealedFileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


def scan() -> bytes:
    """A picture of noise, so its sealed and compressed forms look like nothing else."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (40, 30), os.urandom(40 * 30 * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def download(client, case: Case, number: int) -> bytes:
    response = client.get(f"/cases/{case.reference}/documents/{number}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def filled(files_dir, open_case, caseworker, coordinator, client_for):
    """Cases, stages with notes, papers, expenses, a document, a safe house, a stay and a request: all through
    the services the pages use, so every sealed model and its history has rows."""
    from cases.models import Stage
    from cases.money import ExpenseValues, expense_add, expense_reverse
    from cases.stages import PaperValues, StageChange, paper_add, stage_update
    from documents.content import check_upload
    from documents.services import document_upload
    from shelters.services import case_place_in_shelter, place_request_create, shelter_create

    today = timezone.localdate()
    first = open_case(caseworker)
    second = open_case(caseworker, legal_name="Second Fictional", chosen_name="")
    with key_scope():
        case_update(case=first, user=caseworker, expected_version=1, changes={"narrative": "Second version."})
        for case in (first, second):
            stage = Stage.objects.get(case=case, kind=Stage.Kind.FOOD)
            change = StageChange(status=Stage.Status.IN_PROGRESS, started_on=today, notes=NOTE)
            stage_update(case=case, kind=stage.kind, user=caseworker, expected_version=stage.version, change=change)
        paper_add(case=first, user=caseworker, values=PaperValues(kind="visa", status="needed", notes=NOTE))
        values = ExpenseValues(
            stage=Stage.Kind.FOOD,
            amount=Decimal("42.50"),
            currency="EUR",
            rate_to_eur=Decimal("1"),
            spent_on=today - datetime.timedelta(days=2),
            description=DESCRIPTION,
        )
        paid = expense_add(case=first, user=caseworker, values=values)
        expense_reverse(expense=paid, user=caseworker, reason="Fictional: recorded twice.", on_date=today)
        expense_add(case=second, user=caseworker, values=values)
        checked = check_upload(scan())
        document = document_upload(case=first, user=caseworker, checked=checked, kind="evidence", title="Fictional")
        shelter = shelter_create(
            by=coordinator,
            data={"code_name": "Heron", "city": "Fictionburg", "capacity": 2, "address": ADDRESS, "notes": NOTE},
        )
        case_place_in_shelter(case=first, shelter=shelter, starts_on=today, by=coordinator)
        place_request_create(case=second, wanted_from=today, note=REQUEST_NOTE, by=caseworker)
    client_for(caseworker).get(f"/cases/{first.reference}/")  # a read in the access log
    served = download(client_for(caseworker), first, document.number)
    assert served == checked.content
    return {"first": first, "second": second, "document": document, "served": served}


def sealed_models() -> list[type]:
    """Every model with sealed values: the SealedModel subclasses, and their history models."""
    chosen = []
    for model in apps.get_models():
        if issubclass(model, SealedModel):
            chosen.append(model)
            if hasattr(model, "history"):
                chosen.append(model.history.model)
    return chosen


def sealed_fields(model) -> list[SealedField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, SealedField)]


def every_sealed_value() -> dict[tuple[str, object, str], object]:
    """(model, row, field) -> the clear value, for every sealed value of every row there is. Opening each
    one proves it opens: a value that does not raises."""
    values = {}
    with key_scope():
        for model in sealed_models():
            for row in model._default_manager.order_by("pk"):
                for field in sealed_fields(model):
                    values[(model._meta.label_lower, row.pk, field.name)] = getattr(row, field.name)
    return values


def test_every_model_with_sealed_values_is_looked_at():
    """If a model with sealed fields were not a SealedModel, the round trip below would not open its values."""
    with_sealed_fields = {model for model in apps.get_models() if sealed_fields(model)}
    assert with_sealed_fields <= set(sealed_models())


def wipe(files_dir):
    """An empty, freshly migrated database (flush re-creates what migrate makes) and no files."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # settle this test's own pending checks
    call_command("flush", "--noinput", verbosity=0)
    for path in sorted(files_dir.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def stored_files(files_dir: Path) -> list[Path]:
    return sorted(path for path in files_dir.rglob("*") if path.is_file())


def test_a_backup_restores_everything_and_it_all_opens(filled, files_dir, tmp_path, client_for, caseworker, open_case):
    before = every_sealed_value()
    rows = {model._meta.label_lower: model._default_manager.count() for model in sealed_models()}
    assert all(rows.values()), f"every sealed model and history has rows to check: {rows}"
    log_entries = verify_chain().checked
    files_before = {path.relative_to(files_dir): path.read_bytes() for path in stored_files(files_dir)}
    archive = tmp_path / "passage.backup"
    out = StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "master keys are NOT in this backup" in out.getvalue()

    wipe(files_dir)
    assert not Case.objects.exists() and not stored_files(files_dir)
    call_command("restore", str(archive), stdout=StringIO())
    check = verify_chain()
    assert check.intact and check.checked == log_entries

    after = every_sealed_value()
    assert after == before
    assert {model._meta.label_lower: model._default_manager.count() for model in sealed_models()} == rows
    with key_scope():
        first = Case.objects.get(reference=filled["first"].reference)
        assert first.legal_name == SEALED_VALUES["legal_name"]
        assert [record.narrative for record in first.history.order_by("history_id")] == [
            SEALED_VALUES["narrative"],
            "Second version.",
        ]
    assert NOTE in before.values() and DESCRIPTION in before.values() and ADDRESS in before.values()
    assert {path.relative_to(files_dir): path.read_bytes() for path in stored_files(files_dir)} == files_before
    # The document opens through the app, byte for byte what was uploaded.
    assert download(client_for(caseworker), first, filled["document"].number) == filled["served"]
    # New rows get fresh ids: the sequences were reset past the restored rows.
    highest = Case.objects.order_by("-pk").first().pk
    assert open_case(User.objects.get(pk=caseworker.pk)).pk > highest


def opened(archive: Path) -> bytes:
    """The archive's content as the restore reads it: unsealed, then unzipped (the tar stream)."""
    with open(archive, "rb") as raw:
        reader = OpeningReader(raw, master_key=django_settings.PASSAGE_MASTER_KEYS[0], purpose=b"backup")
        return gzip.decompress(io.BufferedReader(reader).read())


def key_forms(key: bytes) -> list[bytes]:
    forms = [key, key.hex().encode(), base64.b64encode(key), base64.urlsafe_b64encode(key)]
    return forms + [form.rstrip(b"=") for form in forms[2:]]


def test_the_archive_holds_no_master_key_and_no_clear_text(filled, tmp_path):
    archive = tmp_path / "passage.backup"
    call_command("backup", str(archive), stdout=StringIO())
    raw, content = archive.read_bytes(), opened(archive)
    assert b"manifest.json" in content  # the search below looks at the real content
    for key in django_settings.PASSAGE_MASTER_KEYS:
        for form in key_forms(key):
            assert form not in raw
            assert form not in content
    for needle in (SEALED_VALUES["legal_name"], filled["first"].reference, "cw_assigned", NOTE, ADDRESS, "\x89PNG"):
        assert needle.encode() not in raw
    for needle in (SEALED_VALUES["legal_name"], NOTE, DESCRIPTION, ADDRESS, REQUEST_NOTE, "Quuxfictional"):
        assert needle.encode() not in content  # sealed values stay sealed inside the archive too
    assert filled["served"] not in content  # and the document stays sealed with its case's key


def rewrite(archive: Path, change) -> None:
    """Re-seals the archive with `change(name, data)` applied to each member (None drops it): a backup as
    another version of Passage would have written it."""
    members = []
    with tarfile.open(fileobj=io.BytesIO(opened(archive)), mode="r") as tar:
        for member in tar:
            data = tar.extractfile(member).read() if member.isfile() else b""
            data = change(member.name, data)
            if data is not None:
                members.append((member.name, data))
    with (
        open(archive, "wb") as raw,
        SealingWriter(raw, master_key=django_settings.PASSAGE_MASTER_KEYS[0], purpose=b"backup") as sealed,
        tarfile.open(fileobj=sealed, mode="w|gz") as tar,
    ):
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def with_columns(data: bytes, label: str, columns) -> bytes:
    """schema.json or manifest.json with the columns of one table changed."""
    document = json.loads(data)
    table = document["tables"][label]
    if isinstance(table, dict):  # the manifest: columns and rows
        table["columns"] = columns(table["columns"])
    else:
        document["tables"][label] = columns(table)
    return json.dumps(document).encode()


def other_columns(columns):
    def change(name: str, data: bytes) -> bytes:
        return with_columns(data, "cases.case", columns) if name in {"schema.json", "manifest.json"} else data

    return change


def without_table(label: str):
    def change(name: str, data: bytes) -> bytes | None:
        if name.startswith(f"db/{label}/"):
            return None
        if name in {"schema.json", "manifest.json"}:
            document = json.loads(data)
            del document["tables"][label]
            return json.dumps(document).encode()
        return data

    return change


def format_one(name: str, data: bytes) -> bytes | None:
    """Format 1 had no schema.json, only the columns in the manifest at the end; here one is renamed."""
    if name == "schema.json":
        return None
    if name == "manifest.json":
        return with_columns(data, "cases.case", lambda cols: [c if c != "risk" else "danger" for c in cols])
    return data


def longer_rows(name: str, data: bytes) -> bytes | None:
    if name == "schema.json":
        return None
    if name.startswith("db/cases.case/"):
        return "\n".join(json.dumps([*json.loads(line), 1]) for line in data.decode().splitlines()).encode()
    return data


OTHER_SCHEMAS = {
    "a column more": (
        other_columns(lambda cols: [*cols, "nickname"]),
        "does not match the database of this version of Passage: cases.case has column nickname in the backup, "
        "which this version does not have. Restore it with the version of Passage that wrote it",
    ),
    "a column less": (
        other_columns(lambda cols: [c for c in cols if c != "risk"]),
        "cases.case has no column risk in the backup",
    ),
    "another order": (
        other_columns(lambda cols: cols[::-1]),
        "cases.case has its columns in another order in the backup",
    ),
    "a table less": (
        without_table("shelters.keepapart"),
        "table shelters.keepapart is in this version but not in the backup",
    ),
    "format 1, a column renamed": (format_one, "cases.case has no column risk in the backup"),
    "format 1, rows of another length": (
        longer_rows,
        "cases.case: a row of the backup has 27 values for this version's 26 columns",
    ),
}


def test_restore_refuses_a_backup_of_other_tables_or_columns_and_restores_nothing(filled, files_dir, tmp_path):
    """Rows are lists in the order of the columns: another version's backup would put values in the wrong
    columns. The schema comes first in the archive, so it is refused before a row goes in; an older backup's
    manifest is checked at the end, and what went in is rolled back and its files removed."""
    archive = tmp_path / "passage.backup"
    call_command("backup", str(archive), stdout=StringIO())
    columns = len(Case._meta.concrete_fields)
    wipe(files_dir)
    for variant, (change, message) in OTHER_SCHEMAS.items():
        other = tmp_path / f"{variant}.backup"
        other.write_bytes(archive.read_bytes())
        rewrite(other, change)
        with pytest.raises(CommandError) as refused:
            call_command("restore", str(other), stdout=StringIO())
        expected = message.replace("27 values", f"{columns + 1} values").replace("26 columns", f"{columns} columns")
        assert expected in str(refused.value), variant
        assert str(refused.value).endswith("Nothing was restored."), variant
        assert not Case.objects.exists() and not User.objects.exists(), variant
        assert not stored_files(files_dir), variant
    # The same archive, as written, restores.
    call_command("restore", str(archive), stdout=StringIO())
    assert Case.objects.count() == 2


def test_restore_refuses_a_database_that_is_not_empty(filled, tmp_path):
    archive = tmp_path / "passage.backup"
    call_command("backup", str(archive), stdout=StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=StringIO())


def test_restore_refuses_without_the_master_key(filled, files_dir, tmp_path, settings):
    archive = tmp_path / "passage.backup"
    call_command("backup", str(archive), stdout=StringIO())
    wipe(files_dir)
    settings.PASSAGE_MASTER_KEYS = [os.urandom(32)]
    with pytest.raises(CommandError, match="not configured"):
        call_command("restore", str(archive), stdout=StringIO())
    assert not Case.objects.exists()


def test_a_damaged_backup_restores_nothing(filled, files_dir, tmp_path):
    archive = tmp_path / "passage.backup"
    call_command("backup", str(archive), stdout=StringIO())
    damaged = bytearray(archive.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    archive.write_bytes(bytes(damaged))
    wipe(files_dir)
    with pytest.raises(CommandError, match=r"cannot be read|does not open"):
        call_command("restore", str(archive), stdout=StringIO())
    assert not Case.objects.exists()
    assert not stored_files(files_dir)


def test_a_cut_short_backup_restores_nothing(filled, files_dir, tmp_path):
    archive = tmp_path / "passage.backup"
    call_command("backup", str(archive), stdout=StringIO())
    archive.write_bytes(archive.read_bytes()[:-100])
    wipe(files_dir)
    with pytest.raises(CommandError):
        call_command("restore", str(archive), stdout=StringIO())
    assert not Case.objects.exists()
    assert not stored_files(files_dir)
