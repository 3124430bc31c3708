"""What the access log records: every read, edit, search, intake, history read and import, and every
refused attempt, whether refused by the case's grants (404) or by the user's role (403)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from audit.models import AccessEvent
from tests.cases.test_case_edit import form_data
from tests.cases.test_import_cases import good_row, write

pytestmark = pytest.mark.django_db

Action = AccessEvent.Action


def newest(**where) -> AccessEvent:
    return AccessEvent.objects.filter(**where).order_by("-id").first()


def test_reading_a_case_and_its_history_is_logged(client_for, caseworker, case):
    client = client_for(caseworker)
    assert client.get(f"/cases/{case.reference}/").status_code == 200
    assert newest(action=Action.CASE_VIEW, case_reference=case.reference).username == caseworker.username
    assert client.get(f"/cases/{case.reference}/history/").status_code == 200
    assert newest(action=Action.CASE_HISTORY, case_reference=case.reference).username == caseworker.username


def test_an_edit_is_logged(client_for, caseworker, case):
    response = client_for(caseworker).post(f"/cases/{case.reference}/edit/", form_data(case, risk="urgent"))
    assert response.status_code == 302
    assert newest(action=Action.CASE_EDIT, case_reference=case.reference).username == caseworker.username


def test_an_intake_is_logged(client_for, caseworker):
    client_for(caseworker).post(
        "/cases/new/", {"legal_name": "Logged Fictional", "intake_date": "2026-03-01", "risk": "high"}
    )
    entry = newest(action=Action.CASE_CREATE)
    assert entry is not None and entry.username == caseworker.username
    assert entry.case_reference.startswith("EV-2026-")


def test_a_search_and_the_list_are_logged_without_what_was_searched(client_for, caseworker, case):
    client = client_for(caseworker)
    client.get("/cases/")
    assert newest(action=Action.CASE_LIST).username == caseworker.username
    client.post("/cases/", {"q": "Zelimkhan Quuxfictional"})
    entry = newest(action=Action.CASE_SEARCH)
    assert entry.username == caseworker.username
    assert "Quuxfictional" not in f"{entry.detail} {entry.target} {entry.case_reference}"


def test_an_import_is_logged(tmp_path, caseworker):
    call_command("import_cases", str(write(tmp_path, [good_row(caseworker)])), stdout=None)
    assert newest(action=Action.CASE_IMPORT).detail == "1 cases"


def test_a_case_the_user_may_not_see_is_a_logged_refusal(client_for, other_caseworker, case):
    assert client_for(other_caseworker).get(f"/cases/{case.reference}/").status_code == 404
    entry = newest(action=Action.REFUSED)
    assert (entry.username, entry.case_reference) == (other_caseworker.username, case.reference)


def test_a_refusal_is_logged_even_where_the_view_logs_its_own_success(client_for, caseworker, other_caseworker, case):
    from django.utils import timezone

    from shelters.services import place_request_create

    waiting = place_request_create(case=case, wanted_from=timezone.localdate(), note="", by=caseworker)
    url = f"/shelters/cases/{case.reference}/requests/{waiting.pk}/withdraw/"
    assert client_for(other_caseworker).post(url).status_code == 404
    assert newest(action=Action.REFUSED, case_reference=case.reference).username == other_caseworker.username


@pytest.mark.parametrize(
    ("persona", "path"),
    [("administrator", "/cases/{reference}/"), ("lawyer", "/cases/{reference}/edit/"), ("caseworker", "/dashboard/")],
)
def test_a_user_refused_by_role_is_logged_too(request, client_for, case, persona, path):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(path.format(reference=case.reference))
    assert response.status_code == 403
    entry = newest(action=Action.REFUSED)
    assert entry is not None and entry.username == user.username
    assert entry.detail.startswith("role: ")
    if "{reference}" in path:
        assert entry.case_reference == case.reference


def test_a_search_with_nothing_of_a_name_in_it_finds_nothing(client_for, caseworker, open_case):
    open_case(caseworker, chosen_name="")  # no chosen name: its keyed hash is empty
    response = client_for(caseworker).post("/cases/", {"q": "-"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
