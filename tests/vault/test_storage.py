"""Sealed file storage: what comes back is what went in; what is on disk is not."""

from __future__ import annotations

import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from vault.crypto import DecryptionError, VaultError
from vault.keys import key_scope
from vault.storage import SealedContent

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4 fictional passport scan of Zelimkhan Quuxfictional" + os.urandom(1000)


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "vault.storage.SealedFileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return storages["default"]


def test_a_file_round_trips_and_is_sealed_on_disk(storage, case, tmp_path):
    with key_scope():
        name = storage.save("documents/abc123", SealedContent(CONTENT, data_key_id=case.data_key_id))
        assert storage.open(name).read() == CONTENT
        assert storage.read_sealed(name, data_key_id=case.data_key_id) == CONTENT
    on_disk = (tmp_path / name).read_bytes()
    assert b"Quuxfictional" not in on_disk
    assert b"%PDF" not in on_disk


def test_an_unsealed_file_is_refused(storage):
    with pytest.raises(VaultError):
        storage.save("documents/plain", ContentFile(b"clear text"))


def test_a_file_moved_to_another_name_fails(storage, case, tmp_path):
    with key_scope():
        name = storage.save("documents/one", SealedContent(CONTENT, data_key_id=case.data_key_id))
    (tmp_path / "documents" / "two").write_bytes((tmp_path / name).read_bytes())
    with key_scope(), pytest.raises(DecryptionError):
        storage.open("documents/two").read()


def test_a_file_of_another_case_is_refused(storage, case, open_case, caseworker):
    other = open_case(caseworker)
    with key_scope():
        name = storage.save("documents/three", SealedContent(CONTENT, data_key_id=case.data_key_id))
        with pytest.raises(DecryptionError):
            storage.read_sealed(name, data_key_id=other.data_key_id)


def test_sealed_files_have_no_url(storage):
    with pytest.raises(VaultError):
        storage.url("documents/anything")
