"""Master keys: rotation, start-up checks, and data keys opened once per request."""

from __future__ import annotations

import base64
import os
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from tests.conftest import SEALED_VALUES
from vault.checks import check_master_keys
from vault.crypto import UnknownMasterKey, master_key_id
from vault.keys import key_scope, verify_master_keys
from vault.middleware import check_master_keys_at_start
from vault.models import DataKey

pytestmark = pytest.mark.django_db


def new_master_key() -> bytes:
    return base64.urlsafe_b64decode(base64.urlsafe_b64encode(os.urandom(32)))


def search(client, text):
    return client.post("/cases/", {"q": text}).context["page"].object_list


def test_after_rotation_data_opens_with_the_old_key_removed(settings, case, client_for, caseworker):
    old = settings.PASSAGE_MASTER_KEYS[0]
    new = new_master_key()
    settings.PASSAGE_MASTER_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_master_key", "--batch-size", "1", stdout=out)
    assert "re-wrapped 2/2" in out.getvalue()  # the case's key and the blind-index key
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {master_key_id(new)}

    settings.PASSAGE_MASTER_KEYS = [new]
    with key_scope():
        reloaded = Case.objects.get(pk=case.pk)
        assert reloaded.legal_name == SEALED_VALUES["legal_name"]
        assert reloaded.history.get().narrative == SEALED_VALUES["narrative"]
    # The blind index survives rotation: its key was re-wrapped, not replaced.
    assert [c.reference for c in search(client_for(caseworker), SEALED_VALUES["phone"])] == [case.reference]


def test_rotation_twice_changes_nothing_the_second_time(settings, case):
    settings.PASSAGE_MASTER_KEYS = [new_master_key(), settings.PASSAGE_MASTER_KEYS[0]]
    call_command("rotate_master_key", stdout=StringIO())
    out = StringIO()
    call_command("rotate_master_key", stdout=out)
    assert "0 data keys to re-wrap" in out.getvalue()


def test_start_up_refuses_a_master_key_that_opens_nothing(settings, case):
    settings.PASSAGE_MASTER_KEYS = [new_master_key()]
    problems = verify_master_keys()
    assert problems and "not configured" in problems[0]
    with pytest.raises(ImproperlyConfigured, match="will not start"):
        check_master_keys_at_start()
    assert [error.id for error in check_master_keys(None, databases=["default"])] == ["vault.E001"]
    with pytest.raises(UnknownMasterKey), key_scope():
        Case.objects.get(pk=case.pk).legal_name


def test_start_up_accepts_the_right_key(case):
    assert verify_master_keys() == []
    check_master_keys_at_start()
    assert check_master_keys(None, databases=["default"]) == []


def test_start_up_refuses_a_key_with_the_right_id_that_does_not_open(settings, case):
    # A corrupted wrapped key looks like a wrong key: refuse rather than fail later.
    data_key = DataKey.objects.filter(purpose=DataKey.Purpose.CASE).get()
    wrapped = bytearray(data_key.wrapped)
    wrapped[-1] ^= 1
    DataKey.objects.filter(pk=data_key.pk).update(wrapped=bytes(wrapped))
    DataKey.objects.filter(purpose=DataKey.Purpose.BLIND_INDEX).delete()
    assert "does not open" in verify_master_keys()[0]


def test_a_page_of_cases_opens_its_keys_with_one_query(open_case, caseworker):
    for _ in range(5):
        open_case(caseworker)
    with key_scope():
        cases = list(Case.objects.for_list())
        with CaptureQueriesContext(connection) as queries:
            from vault.keys import prefetch_data_keys

            prefetch_data_keys(c.data_key_id for c in cases)
            names = [c.legal_name for c in cases]
    assert names == [SEALED_VALUES["legal_name"]] * 5
    assert len([q for q in queries.captured_queries if "vault_datakey" in q["sql"]]) == 1


def test_outside_a_request_no_key_is_kept(case):
    from vault import keys

    assert keys._opened.get() is None
    with key_scope():
        Case.objects.get(pk=case.pk).legal_name
        assert keys._opened.get()
    assert keys._opened.get() is None


def test_the_wsgi_application_refuses_to_start_with_a_wrong_key(tmp_path, open_case, caseworker):
    """A real start-up, in a fresh process, against a database whose keys need another master key."""
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    if connection.vendor != "sqlite":
        pytest.skip("the subprocess uses a SQLite copy")
    database = tmp_path / "copy.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    root = Path(settings.BASE_DIR)
    run = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(run, cwd=root, env=env, check=True, timeout=120)
    make_key = "from vault.keys import create_data_key; create_data_key()"
    subprocess.run([sys.executable, "manage.py", "shell", "-c", make_key], cwd=root, env=env, check=True, timeout=60)
    start = [sys.executable, "-c", "import config.wsgi"]
    assert subprocess.run(start, cwd=root, env=env, timeout=60).returncode == 0
    wrong = {**env, "PASSAGE_MASTER_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode()}
    refused = subprocess.run(start, cwd=root, env=wrong, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "Passage will not start" in refused.stderr
