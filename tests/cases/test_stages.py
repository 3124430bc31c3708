"""Stage rules: the order of the way out, reasons kept, dates, the derived current stage, overdue flags."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from cases.models import Case, Stage
from cases.stages import OutOfOrder, StageChange, StageError, StaleStage, current_stage, stage_update
from vault.keys import key_scope

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def set_stage(case, kind, status, user, **values):
    stage = case.stages.get(kind=kind)
    with key_scope():
        return stage_update(
            case=case,
            kind=kind,
            user=user,
            expected_version=stage.version,
            change=StageChange(status=status, **values),
        )


def current(case) -> str | None:
    return Case.objects.with_current_stage().get(pk=case.pk).current_stage


def test_support_stages_run_side_by_side_in_any_order(case, caseworker):
    set_stage(case, "psychological_support", "done", caseworker)
    set_stage(case, "food", "in_progress", caseworker)
    assert case.stages.get(kind="psychological_support").status == "done"
    assert case.stages.get(kind="food").status == "in_progress"


def test_marking_a_later_stage_of_the_way_out_done_first_asks_for_a_reason(case, caseworker):
    with pytest.raises(OutOfOrder) as asked:
        set_stage(case, "evacuation", "done", caseworker)
    assert "Travel documents is not done yet" in asked.value.errors["out_of_order_reason"]
    assert case.stages.get(kind="evacuation").status == "not_started"
    assert case.stages.get(kind="evacuation").history.count() == 1


def test_the_reason_given_is_kept_sealed_with_the_stage(case, caseworker):
    set_stage(case, "evacuation", "done", caseworker, out_of_order_reason="Papers were issued at the border.")
    stage = case.stages.get(kind="evacuation")
    assert stage.status == "done"
    with key_scope():
        assert stage.out_of_order_reason == "Papers were issued at the border."
    assert stage.history.first().history_change_reason == "changed:ended_on,out_of_order_reason,status"


def test_every_earlier_unfinished_stage_is_named(case, caseworker):
    set_stage(case, "travel_documents", "done", caseworker)
    with pytest.raises(OutOfOrder) as asked:
        set_stage(case, "resettled", "done", caseworker)
    message = asked.value.errors["out_of_order_reason"]
    assert "Evacuation, Asylum application" in message
    assert "Travel documents" not in message


def test_stages_not_needed_do_not_hold_the_next_one_back(case, caseworker):
    set_stage(case, "travel_documents", "not_needed", caseworker)
    set_stage(case, "evacuation", "done", caseworker)
    assert case.stages.get(kind="evacuation").status == "done"


def test_in_order_needs_no_reason(case, caseworker):
    for kind in Stage.Kind.SEQUENTIAL:
        set_stage(case, kind, "done", caseworker)
    assert set(case.stages.filter(kind__in=Stage.Kind.SEQUENTIAL).values_list("status", flat=True)) == {"done"}


def test_a_blocked_stage_says_what_it_waits_for(case, caseworker):
    with pytest.raises(StageError) as refused:
        set_stage(case, "travel_documents", "blocked", caseworker)
    assert "blocked_reason" in refused.value.errors
    set_stage(case, "travel_documents", "blocked", caseworker, blocked_reason="waiting_embassy")
    stage = case.stages.get(kind="travel_documents")
    assert (stage.status, stage.blocked_reason) == ("blocked", "waiting_embassy")
    set_stage(case, "travel_documents", "in_progress", caseworker, blocked_reason="waiting_embassy")
    assert case.stages.get(kind="travel_documents").blocked_reason == ""


def test_dates_follow_the_status(case, caseworker):
    set_stage(case, "shelter", "in_progress", caseworker)
    assert case.stages.get(kind="shelter").started_on == TODAY
    set_stage(case, "shelter", "done", caseworker, started_on=TODAY - 10 * DAY)
    stage = case.stages.get(kind="shelter")
    assert (stage.started_on, stage.ended_on) == (TODAY - 10 * DAY, TODAY)
    # Reopened with the form's old dates: the end date goes, the start stays.
    set_stage(case, "shelter", "in_progress", caseworker, started_on=stage.started_on, ended_on=stage.ended_on)
    stage = case.stages.get(kind="shelter")
    assert (stage.started_on, stage.ended_on) == (TODAY - 10 * DAY, None)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"status": "done", "started_on": TODAY - DAY, "ended_on": TODAY - 5 * DAY}, "ended_on", "before the start"),
        ({"status": "in_progress", "started_on": TODAY + DAY}, "started_on", "cannot be in the future"),
        ({"status": "done", "ended_on": TODAY + DAY}, "ended_on", "cannot be in the future"),
        ({"status": "in_progress", "ended_on": TODAY - DAY}, "ended_on", "Only a stage that is done"),
        ({"status": "not_started", "started_on": TODAY - DAY}, "started_on", "not started yet has no start"),
        ({"status": "in_progress", "started_on": datetime.date(1926, 1, 1)}, "started_on", "Check the year"),
        ({"status": "in_progress", "due_on": datetime.date(226, 1, 1)}, "due_on", "Check the year"),
        ({"status": "finished"}, "status", "Choose one of the statuses"),
        ({"status": "blocked", "blocked_reason": "bad_weather"}, "blocked_reason", "waiting for"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(case, caseworker, values, field, message):
    status = values.pop("status")
    with pytest.raises(StageError) as refused:
        set_stage(case, "shelter", status, caseworker, **values)
    assert message in refused.value.errors[field]
    stage = case.stages.get(kind="shelter")
    assert (stage.status, stage.version, stage.history.count()) == ("not_started", 1, 1)


def test_a_stage_kind_that_does_not_exist_is_refused(case, caseworker):
    with pytest.raises(StageError, match="no such stage"):
        stage_update(case=case, kind="teleportation", user=caseworker, expected_version=1, change=StageChange("done"))


def test_a_change_based_on_an_older_version_is_refused(case, caseworker):
    set_stage(case, "food", "in_progress", caseworker)
    with pytest.raises(StaleStage), key_scope():
        stage_update(
            case=case, kind="food", user=caseworker, expected_version=1, change=StageChange("done", notes="mine")
        )
    assert case.stages.get(kind="food").status == "in_progress"


def test_each_change_is_in_history_and_in_the_access_log(case, caseworker):
    set_stage(case, "food", "in_progress", caseworker, notes="Vouchers from the Tuesday market.")
    stage = case.stages.get(kind="food")
    assert stage.version == 2
    assert stage.history.count() == 2
    event = AccessEvent.objects.filter(action="stage_update").get()
    assert (event.username, event.case_reference, event.target, event.detail) == (
        caseworker.username,
        case.reference,
        "food",
        "in_progress",
    )


def test_saving_without_a_change_writes_nothing(case, caseworker):
    set_stage(case, "food", "not_started", caseworker, notes="")
    assert case.stages.get(kind="food").history.count() == 1
    assert not AccessEvent.objects.filter(action="stage_update").exists()


def test_an_erased_case_cannot_be_changed(case, caseworker):
    from cases.services import case_erase

    with key_scope():
        case_erase(case=case, by=None)
    with pytest.raises(StageError, match="erased"):
        set_stage(case, "food", "done", caseworker)


# ---- The current stage, derived (SQL for lists; the same rule in Python for the case page) -----------------


SCENARIOS = [
    ({}, "shelter"),
    ({"shelter": "in_progress"}, "shelter"),
    ({"shelter": "in_progress", "travel_documents": "in_progress"}, "travel_documents"),
    ({"shelter": "in_progress", "travel_documents": "blocked"}, "travel_documents"),
    ({"shelter": "done", "food": "done", "clothing": "not_needed"}, "psychological_support"),
    (
        dict.fromkeys(Stage.Kind.PARALLEL, "done") | {"travel_documents": "done", "evacuation": "in_progress"},
        "evacuation",
    ),
    (dict.fromkeys(Stage.Kind.values, "done"), "resettled"),
    (
        dict.fromkeys(Stage.Kind.PARALLEL, "done")
        | {"travel_documents": "done", "evacuation": "done", "asylum_application": "not_needed"}
        | {"resettled": "not_needed"},
        "evacuation",
    ),
    (dict.fromkeys(Stage.Kind.values, "not_needed"), None),
]


@pytest.mark.parametrize(("statuses", "expected"), SCENARIOS)
def test_the_current_stage_is_derived_by_the_documented_rule(case, caseworker, statuses, expected):
    for kind in Stage.Kind.values:  # in pipeline order, so no reason is asked for
        if kind in statuses:
            blocked = "waiting_embassy" if statuses[kind] == "blocked" else ""
            set_stage(case, kind, statuses[kind], caseworker, blocked_reason=blocked)
    assert current(case) == expected
    loaded = current_stage(list(case.stages.in_pipeline_order()))
    assert (loaded.kind if loaded else None) == expected


def test_the_current_stage_is_never_stored():
    names = {field.name for field in Case._meta.get_fields()}
    assert "current_stage" not in names


def test_the_current_stage_of_many_cases_costs_one_query(open_case, caseworker, django_assert_num_queries):
    for _ in range(5):
        open_case(caseworker)
    with django_assert_num_queries(1):
        stages = [case.current_stage for case in Case.objects.with_current_stage().with_flags().with_spending()]
    assert stages == ["shelter"] * 5


# ---- Overdue -----------------------------------------------------------------------------------------------


def test_a_stage_past_its_due_date_and_not_done_is_overdue(case, caseworker):
    set_stage(case, "travel_documents", "in_progress", caseworker, due_on=TODAY - DAY)
    set_stage(case, "shelter", "in_progress", caseworker, due_on=TODAY)
    overdue = Stage.objects.filter(case=case).overdue()
    assert [stage.kind for stage in overdue] == ["travel_documents"]
    assert case.stages.get(kind="travel_documents").is_overdue
    assert not case.stages.get(kind="shelter").is_overdue
    assert Case.objects.with_flags().get(pk=case.pk).has_overdue_stage


@pytest.mark.parametrize("status", ["done", "not_needed"])
def test_a_stage_done_or_not_needed_is_never_overdue(case, caseworker, status):
    set_stage(case, "food", status, caseworker, due_on=TODAY - 30 * DAY)
    assert not case.stages.get(kind="food").is_overdue
    assert not Case.objects.with_flags().get(pk=case.pk).has_overdue_stage
