"""The access log only grows: no path in Passage changes or removes an entry, and PostgreSQL refuses too."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import AccessEvent, AccessLogIsAppendOnly, Action
from audit.services import record_access
from tests.audit.tampering import TABLE, postgres_only

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(caseworker) -> AccessEvent:
    record_access(user=caseworker, action=Action.CASE_LIST)
    return record_access(user=caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0001")


def test_the_model_refuses_to_save_a_changed_entry(event):
    event.detail = "nothing to see"
    with pytest.raises(AccessLogIsAppendOnly):
        event.save()
    with pytest.raises(AccessLogIsAppendOnly):
        event.save(update_fields=["detail"])
    assert AccessEvent.objects.get(pk=event.pk).detail == ""


def test_the_model_refuses_to_delete_an_entry(event):
    with pytest.raises(AccessLogIsAppendOnly):
        event.delete()
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_querysets_refuse_updates_and_deletes(event):
    with pytest.raises(AccessLogIsAppendOnly):
        AccessEvent.objects.filter(pk=event.pk).update(detail="nothing to see")
    with pytest.raises(AccessLogIsAppendOnly):
        AccessEvent.objects.all().delete()
    with pytest.raises(AccessLogIsAppendOnly):
        AccessEvent.objects.bulk_update([event], ["detail"])
    with pytest.raises(AccessLogIsAppendOnly):
        AccessEvent._base_manager.filter(pk=event.pk).update(detail="nothing to see")
    assert AccessEvent.objects.count() == 2


def test_entries_cannot_be_added_around_the_chain(event, caseworker):
    with pytest.raises(AccessLogIsAppendOnly):
        AccessEvent.objects.create(user=caseworker, username="cw_assigned", action=Action.CASE_LIST)
    forged = AccessEvent(
        id=event.id + 1, at=timezone.now(), username="x", action=Action.CASE_LIST, prev_hash=event.hash, hash="f" * 64
    )
    with pytest.raises(AccessLogIsAppendOnly):
        forged.save()
    with pytest.raises(AccessLogIsAppendOnly):
        AccessEvent.objects.bulk_create([forged])
    assert AccessEvent.objects.count() == 2


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [f"UPDATE {TABLE} SET detail = 'nothing to see' WHERE id = %s", f"DELETE FROM {TABLE} WHERE id = %s"],
    ids=["update", "delete"],
)
def test_postgresql_refuses_raw_updates_and_deletes(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    stored = AccessEvent.objects.get(pk=event.pk)
    assert stored.detail == ""
    assert stored.hash == stored.compute_hash()


@postgres_only
def test_postgresql_still_lets_the_owner_truncate_the_table(event):
    # The test runner empties tables with TRUNCATE between tests; the trigger must not stop it.
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")
    assert not AccessEvent.objects.exists()
