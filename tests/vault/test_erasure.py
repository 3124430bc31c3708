"""Crypto-erasure: afterwards nothing of the case, current or historical, opens; other cases are untouched."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AccessEvent
from cases.models import Case
from tests.conftest import SEALED_VALUES
from vault.crypto import KeyDestroyed
from vault.keys import key_scope
from vault.models import DataKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited_case(case, caseworker):
    from cases.services import case_update

    with key_scope():
        case_update(case=case, user=caseworker, expected_version=1, changes={"narrative": "Second version."})
    return case


def test_erasure_leaves_nothing_that_opens(edited_case, open_case, caseworker):
    other = open_case(caseworker, legal_name="Untouched Fictional")
    history_before = edited_case.history.count()
    call_command("erase_case", edited_case.reference, "--confirm", edited_case.reference, stdout=StringIO())

    erased = Case.objects.get(pk=edited_case.pk)
    assert erased.is_erased
    assert erased.status == Case.Status.CLOSED
    assert DataKey.objects.get(pk=erased.data_key_id).wrapped is None
    old_records = list(erased.history.order_by("history_id"))[:history_before]
    assert len(old_records) == 2
    for record in old_records:
        for name in ("legal_name", "narrative", "phone"):
            with key_scope(), pytest.raises(KeyDestroyed):
                getattr(record, name)
    # What the accounts need stays.
    assert erased.reference == edited_case.reference
    assert erased.intake_date == edited_case.intake_date
    assert erased.budget_eur == edited_case.budget_eur
    # Keyed hashes could confirm a guessed name: gone everywhere.
    assert not Case.objects.filter(pk=erased.pk).exclude(legal_name_index="").exists()
    assert not erased.history.exclude(legal_name_index="", phone_index="").exists()
    with key_scope():
        assert Case.objects.get(pk=other.pk).legal_name == "Untouched Fictional"
    assert AccessEvent.objects.filter(action="case_erase", case_reference=erased.reference).exists()


def test_erasure_needs_the_reference_twice(case):
    with pytest.raises(CommandError, match="differ"):
        call_command("erase_case", case.reference, "--confirm", "EV-0000-0000", stdout=StringIO())
    with key_scope():
        assert Case.objects.get(pk=case.pk).legal_name == SEALED_VALUES["legal_name"]


def test_an_erased_case_page_shows_no_personal_data(client_for, caseworker, case):
    call_command("erase_case", case.reference, "--confirm", case.reference, stdout=StringIO())
    response = client_for(caseworker).get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    assert b"was erased" in response.content
    history = client_for(caseworker).get(f"/cases/{case.reference}/history/")
    assert history.status_code == 200
    assert client_for(caseworker).get("/cases/").status_code == 200


def test_the_log_names_who_decided_the_erasure(case, coordinator, caseworker):
    with pytest.raises(CommandError, match="not an active coordinator"):
        call_command("erase_case", case.reference, "--confirm", case.reference, "--by", caseworker.username)
    assert not Case.objects.get(pk=case.pk).is_erased
    call_command(
        "erase_case", case.reference, "--confirm", case.reference, "--by", coordinator.username, stdout=StringIO()
    )
    entry = AccessEvent.objects.filter(action="case_erase", case_reference=case.reference).get()
    assert entry.username == coordinator.username
