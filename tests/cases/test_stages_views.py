"""The stage board's forms: one small form per stage, back to the same place on the case page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases.models import Stage
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def post_stage(client, case, kind, **fields):
    version = fields.pop("version", None) or case.stages.get(kind=kind).version
    data = {f"{kind}-version": str(version)} | {f"{kind}-{name}": value for name, value in fields.items()}
    return client.post(f"/cases/{case.reference}/stages/{kind}/", data)


def test_a_stage_changes_in_place_and_the_page_comes_back_at_it(client_for, caseworker, case):
    client = client_for(caseworker)
    response = post_stage(client, case, "shelter", status="in_progress", notes="Fictional: flat B, second floor")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/#stage-shelter"
    page = client.get(response["Location"]).content.decode()
    assert "Shelter: In progress." in page
    stage = case.stages.get(kind="shelter")
    assert (stage.status, stage.started_on) == ("in_progress", TODAY)
    with key_scope():
        assert stage.notes == "Fictional: flat B, second floor"


def test_done_out_of_order_comes_back_asking_why_and_saves_with_the_reason(client_for, caseworker, case):
    client = client_for(caseworker)
    response = post_stage(client, case, "evacuation", status="done")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Travel documents is not done yet. Say why Evacuation is done before it" in body
    assert 'name="evacuation-out_of_order_reason"' in body
    assert case.stages.get(kind="evacuation").status == "not_started"
    response = post_stage(client, case, "evacuation", status="done", out_of_order_reason="Fictional: humanitarian visa")
    assert response.status_code == 302
    stage = case.stages.get(kind="evacuation")
    assert stage.status == "done"
    with key_scope():
        assert stage.out_of_order_reason == "Fictional: humanitarian visa"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "done", "started_on": "2026-03-10", "ended_on": "2026-03-01"}, "The end date is before the start"),
        ({"status": "in_progress", "started_on": "2999-01-01"}, "This date cannot be in the future"),
        ({"status": "blocked"}, "Say what the stage is waiting for"),
        ({"status": "finished"}, "Select a valid choice"),
        ({"status": "in_progress", "due_on": "31.02.2026"}, "Enter a valid date"),
        ({"status": "in_progress", "notes": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_input_comes_back_with_a_message_and_nothing_is_saved(client_for, caseworker, case, fields, message):
    response = post_stage(client_for(caseworker), case, "food", **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    stage = case.stages.get(kind="food")
    assert (stage.status, stage.version) == ("not_started", 1)


def test_a_form_loaded_before_somebody_elses_change_is_refused_and_shows_the_input(client_for, caseworker, case):
    client = client_for(caseworker)
    post_stage(client, case, "food", status="in_progress")
    response = post_stage(client, case, "food", version=1, status="done", notes="Fictional: my note")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Somebody else changed this stage" in body
    assert "Fictional: my note" in body
    assert 'name="food-version" value="2"' in body
    assert case.stages.get(kind="food").status == "in_progress"


def test_the_board_shows_status_dates_and_flags(client_for, caseworker, case):
    client = client_for(caseworker)
    post_stage(
        client, case, "travel_documents", status="blocked", blocked_reason="waiting_embassy", due_on="2026-01-10"
    )
    body = client.get(f"/cases/{case.reference}/").content.decode()
    assert 'id="stage-travel_documents"' in body
    assert "Waiting for an embassy" in body
    assert "overdue since 2026-01-10" in body
    assert "Current stage: <strong>Travel documents</strong>" in body


def test_the_board_has_no_inline_script_or_style(client_for, caseworker, case):
    body = client_for(caseworker).get(f"/cases/{case.reference}/").content.decode()
    assert "<script" not in body
    assert "style=" not in body
    assert body.count('action="/cases/') >= len(Stage.Kind.values)


def test_dates_can_be_cleared_to_reopen_a_stage(client_for, caseworker, case):
    client = client_for(caseworker)
    post_stage(client, case, "food", status="done", started_on=(TODAY - datetime.timedelta(days=3)).isoformat())
    stage = case.stages.get(kind="food")
    response = post_stage(
        client,
        case,
        "food",
        status="in_progress",
        started_on=stage.started_on.isoformat(),
        ended_on=stage.ended_on.isoformat(),
    )
    assert response.status_code == 302
    stage = case.stages.get(kind="food")
    assert (stage.status, stage.ended_on) == ("in_progress", None)
