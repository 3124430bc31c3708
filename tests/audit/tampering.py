"""What an attacker with direct access to the database does to the access log, for the tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

TABLE = "audit_accessevent"
TRIGGER = "passage_audit_append_only"

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@contextmanager
def trigger_disabled() -> Iterator[None]:
    """Switches the append-only trigger off, as the table's owner or a superuser could."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


def tamper(sql: str, params: list | None = None) -> None:
    """Runs raw SQL on the log behind the application's back."""
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
