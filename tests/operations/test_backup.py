"""Backup and restore: a round trip after which every case, file and history row opens."""

from __future__ import annotations

import base64
import os
from io import StringIO

import pytest
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from audit.services import verify_chain
from cases.models import Case
from cases.services import case_update
from tests.conftest import SEALED_VALUES
from vault.keys import key_scope
from vault.storage import SealedContent

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4 fictional evidence of Quuxfictional " + os.urandom(3000)


@pytest.fixture
def files_dir(settings, tmp_path):
    root = tmp_path / "files"
    settings.PASSAGE_FILES_DIR = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "vault.storage.SealedFileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


@pytest.fixture
def filled(files_dir, open_case, caseworker, client_for):
    first = open_case(caseworker)
    second = open_case(caseworker, legal_name="Second Fictional", chosen_name="")
    with key_scope():
        case_update(case=first, user=caseworker, expected_version=1, changes={"narrative": "Second version."})
        name = storages["default"].save("documents/evidence-1", SealedContent(SCAN, data_key_id=first.data_key_id))
    client_for(caseworker).get(f"/cases/{first.reference}/")
    return first, second, name


def wipe(files_dir):
    """An empty, freshly migrated database (flush re-creates what migrate makes) and no files."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # settle this test's own pending checks
    call_command("flush", "--noinput", verbosity=0)
    for path in sorted(files_dir.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def test_a_backup_restores_everything_and_it_all_opens(filled, files_dir, tmp_path):
    first, second, stored_name = filled
    history_rows = first.history.count()
    log_entries = verify_chain().checked
    archive = tmp_path / "passage.backup"
    out = StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "master keys are NOT in this backup" in out.getvalue()

    wipe(files_dir)
    assert not Case.objects.exists()
    call_command("restore", str(archive), stdout=StringIO())

    with key_scope():
        restored = Case.objects.get(reference=first.reference)
        assert restored.legal_name == SEALED_VALUES["legal_name"]
        assert restored.narrative == "Second version."
        assert [record.narrative for record in restored.history.order_by("history_id")] == [
            SEALED_VALUES["narrative"],
            "Second version.",
        ]
        assert restored.history.count() == history_rows
        assert Case.objects.get(reference=second.reference).legal_name == "Second Fictional"
        assert storages["default"].read_sealed(stored_name, data_key_id=restored.data_key_id) == SCAN
    check = verify_chain()
    assert check.intact and check.checked == log_entries
    assert User.objects.filter(username="cw_assigned").exists()
    # New rows after a restore get fresh ids (sequences were reset).
    from cases.services import next_reference  # noqa: F401

    assert Case.objects.order_by("-pk").first().pk >= restored.pk


def test_the_archive_holds_no_clear_text(filled, tmp_path):
    first, _second, _name = filled
    archive = tmp_path / "passage.backup"
    call_command("backup", str(archive), stdout=StringIO())
    content = archive.read_bytes()
    for needle in (SEALED_VALUES["legal_name"], first.reference, "cw_assigned", "Quuxfictional", "%PDF"):
        assert needle.encode() not in content


def test_restore_refuses_a_database_that_is_not_empty(filled, tmp_path):
    archive = tmp_path / "passage.backup"
    call_command("backup", str(archive), stdout=StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=StringIO())


def test_restore_refuses_without_the_master_key(filled, files_dir, tmp_path, settings):
    archive = tmp_path / "passage.backup"
    call_command("backup", str(archive), stdout=StringIO())
    wipe(files_dir)
    settings.PASSAGE_MASTER_KEYS = [base64.urlsafe_b64decode(base64.urlsafe_b64encode(os.urandom(32)))]
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


def test_a_cut_short_backup_restores_nothing(filled, files_dir, tmp_path):
    archive = tmp_path / "passage.backup"
    call_command("backup", str(archive), stdout=StringIO())
    archive.write_bytes(archive.read_bytes()[:-100])
    wipe(files_dir)
    with pytest.raises(CommandError):
        call_command("restore", str(archive), stdout=StringIO())
    assert not Case.objects.exists()
