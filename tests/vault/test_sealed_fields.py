"""Sealed fields: clear in Python, ciphertext in the database, bound to their case, field and row."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from cases.models import Case
from tests.conftest import SEALED_VALUES
from vault.crypto import DecryptionError, VaultError
from vault.keys import key_scope

pytestmark = pytest.mark.django_db


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def copy_column(source: Case, target: Case, source_column: str, target_column: str) -> None:
    value = raw(f"SELECT {source_column} FROM cases_case WHERE id = %s", [source.pk])[0][0]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE cases_case SET {target_column} = %s WHERE id = %s", [value, target.pk])


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_values_read_back_as_written(case):
    with key_scope():
        again = reload(case)
        for name, value in SEALED_VALUES.items():
            assert getattr(again, name) == value
        assert again.date_of_birth.isoformat() == "1990-05-17"


def test_the_database_holds_ciphertext(case):
    stored = bytes(raw("SELECT legal_name FROM cases_case WHERE id = %s", [case.pk])[0][0])
    assert SEALED_VALUES["legal_name"].encode() not in stored
    assert stored[:1] == b"\x01"


def test_a_ciphertext_swapped_between_two_cases_fails_loudly(open_case, caseworker):
    first, second = open_case(caseworker), open_case(caseworker, legal_name="Another Fictional")
    copy_column(first, second, "legal_name", "legal_name")
    with key_scope(), pytest.raises(DecryptionError):
        reload(second).legal_name


def test_a_ciphertext_swapped_between_two_fields_fails_loudly(case):
    copy_column(case, case, "legal_name", "chosen_name")
    with key_scope(), pytest.raises(DecryptionError):
        reload(case).chosen_name


def test_a_ciphertext_copied_between_two_rows_of_the_same_case_fails_loudly(case):
    """Same case, same key, same field: only the row binding (seal_id) stops the copy."""
    from cases.models import Stage

    with key_scope():
        food, clothing = case.stages.get(kind="food"), case.stages.get(kind="clothing")
        food.notes = "Notes-Fictional: food parcels via Vorbl."
        food.save()
    value = raw("SELECT notes FROM cases_stage WHERE id = %s", [food.pk])[0][0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_stage SET notes = %s WHERE id = %s", [value, clothing.pk])
    with key_scope(), pytest.raises(DecryptionError):
        Stage.objects.get(pk=clothing.pk).notes


def test_a_tampered_byte_fails_loudly(case):
    stored = bytearray(raw("SELECT narrative FROM cases_case WHERE id = %s", [case.pk])[0][0])
    stored[-3] ^= 0xFF
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET narrative = %s WHERE id = %s", [bytes(stored), case.pk])
    with key_scope(), pytest.raises(DecryptionError):
        reload(case).narrative


def test_a_history_row_holds_ciphertext_that_opens(case):
    record = case.history.get()
    stored = bytes(raw("SELECT legal_name FROM cases_historicalcase WHERE history_id = %s", [record.pk])[0][0])
    assert SEALED_VALUES["legal_name"].encode() not in stored
    with key_scope():
        assert case.history.get().legal_name == SEALED_VALUES["legal_name"]


def test_update_and_bulk_update_cannot_write_clear_text(case):
    with pytest.raises(VaultError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(legal_name="clear text")
    with key_scope():
        loaded = reload(case)
        loaded.legal_name = "clear text"
        with pytest.raises(VaultError), transaction.atomic():
            Case.objects.bulk_update([loaded], ["legal_name"])
    assert b"clear text" not in bytes(raw("SELECT legal_name FROM cases_case WHERE id = %s", [case.pk])[0][0])


def test_sealed_fields_cannot_be_filtered_on(case):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Case.objects.filter(legal_name=SEALED_VALUES["legal_name"]))


def test_saving_without_reading_keeps_the_ciphertext_and_opens_no_key(case, django_assert_num_queries):
    before = bytes(raw("SELECT narrative FROM cases_case WHERE id = %s", [case.pk])[0][0])
    loaded = reload(case)
    loaded.status = Case.Status.ON_HOLD
    loaded.__dict__["legal_name"]  # still sealed
    with key_scope():
        loaded.save(update_fields=["status"])
    after = bytes(raw("SELECT narrative FROM cases_case WHERE id = %s", [case.pk])[0][0])
    assert before == after
