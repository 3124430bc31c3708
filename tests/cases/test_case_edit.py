"""Editing a case, with optimistic locking: a save over a newer version is refused, nothing typed is lost."""

from __future__ import annotations

import pytest

from cases.models import Case
from tests.conftest import SEALED_VALUES
from vault.keys import key_scope

pytestmark = pytest.mark.django_db


def form_data(case, **changes):
    data = {
        **SEALED_VALUES,
        "date_of_birth": "1990-05-17",
        "intake_date": "2026-03-01",
        "risk": "high",
        "status": "open",
        "version": case.version,
    }
    data.update(changes)
    return data


def test_the_assigned_caseworker_edits_the_case(client_for, caseworker, case):
    client = client_for(caseworker)
    page = client.get(f"/cases/{case.reference}/edit/")
    assert page.status_code == 200
    assert SEALED_VALUES["narrative"] in page.content.decode()
    response = client.post(
        f"/cases/{case.reference}/edit/", form_data(case, current_location="Safe flat 3 (fictional)")
    )
    assert response.status_code == 302
    with key_scope():
        saved = Case.objects.get(pk=case.pk)
        assert saved.current_location == "Safe flat 3 (fictional)"
        assert saved.version == 2


def test_a_stale_save_is_refused_and_keeps_what_was_typed(client_for, caseworker, other_caseworker, case):
    from cases.services import case_assign

    case_assign(case=case, caseworker=other_caseworker, by=caseworker)
    mine, theirs = client_for(caseworker), client_for(other_caseworker)
    stale_version = case.version
    assert theirs.post(f"/cases/{case.reference}/edit/", form_data(case, phone="+7 900 000-00-01")).status_code == 302

    response = mine.post(
        f"/cases/{case.reference}/edit/", form_data(case, narrative="My careful rewrite.", version=stale_version)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Somebody else saved this case" in body
    assert "My careful rewrite." in body
    assert "Phone" in str(response.context["changed_by_other"])
    with key_scope():
        saved = Case.objects.get(pk=case.pk)
        assert saved.narrative == SEALED_VALUES["narrative"]
        assert saved.phone == "+7 900 000-00-01"
    # Saving again, now knowingly over the newer version, works.
    again = mine.post(f"/cases/{case.reference}/edit/", response.context["form"].data)
    assert again.status_code == 302
    with key_scope():
        assert Case.objects.get(pk=case.pk).narrative == "My careful rewrite."


def test_bad_input_is_refused_and_nothing_changes(client_for, caseworker, case):
    response = client_for(caseworker).post(f"/cases/{case.reference}/edit/", form_data(case, risk="none"))
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).version == 1


@pytest.mark.parametrize(("persona", "status"), [("other_caseworker", 404), ("coordinator", 403), ("lawyer", 403)])
def test_others_cannot_edit(request, client_for, case, persona, status):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"/cases/{case.reference}/edit/").status_code == status
    assert client.post(f"/cases/{case.reference}/edit/", form_data(case, risk="low")).status_code == status
    assert Case.objects.get(pk=case.pk).risk == "high"


def test_history_shows_the_change(client_for, caseworker, coordinator, case):
    client = client_for(caseworker)
    client.post(f"/cases/{case.reference}/edit/", form_data(case, messenger="@new_fictional", risk="urgent"))
    page = client.get(f"/cases/{case.reference}/history/").content.decode()
    assert "@new_fictional" in page
    assert SEALED_VALUES["messenger"] in page
    coordinator_page = client_for(coordinator).get(f"/cases/{case.reference}/history/").content.decode()
    assert "Messenger handle" in coordinator_page
    assert "@new_fictional" not in coordinator_page
    assert SEALED_VALUES["messenger"] not in coordinator_page
    assert "Urgent" in coordinator_page
