"""After cases are made through the app, no table holds any of their sealed values in clear."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.conftest import SEALED_VALUES
from vault.blind_index import normalise_name, normalise_phone

pytestmark = pytest.mark.django_db


def every_stored_value():
    """Every text and binary value of every table, read with raw SQL."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = connection.introspection.get_table_description(cursor, table)
            names = [connection.ops.quote_name(column.name) for column in columns]
            cursor.execute(f"SELECT {', '.join(names)} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes | bytearray):
                        yield table, bytes(value)
                    elif isinstance(value, str):
                        yield table, value.encode()


def needles() -> list[bytes]:
    values = list(SEALED_VALUES.values())
    values += [normalise_name(SEALED_VALUES["legal_name"]), normalise_phone(SEALED_VALUES["phone"])]
    values += ["Quuxfictional", "Plumbobfictional", "Vorbl", "1990-05-17"]
    found = []
    for value in values:
        found += [value.encode(), value.lower().encode(), value.encode("utf-16-le")]
    return found


def test_no_table_holds_a_sealed_value_in_clear(client_for, caseworker, coordinator):
    client = client_for(caseworker)
    form = {**SEALED_VALUES, "date_of_birth": "1990-05-17", "intake_date": "2026-03-01", "risk": "high"}
    response = client.post("/cases/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    reference = response["Location"].rstrip("/").split("/")[-1]
    # Edit it, so history holds several versions, and read it, so the access log has entries.
    edit = client.get(f"/cases/{reference}/edit/")
    data = {**form, "status": "open", "version": edit.context["form"]["version"].value()}
    data["narrative"] = SEALED_VALUES["narrative"] + " Second version."
    assert client.post(f"/cases/{reference}/edit/", data).status_code == 302
    client.get(f"/cases/{reference}/")
    client.get(f"/cases/{reference}/history/")
    client.post("/cases/", {"q": SEALED_VALUES["legal_name"]})
    client_for(coordinator).get(f"/cases/{reference}/")

    leaks = [(table, needle) for table, value in every_stored_value() for needle in needles() if needle in value]
    assert leaks == []
