"""Stage rows: made with the case, one per kind, in pipeline order; the current stage derived in SQL."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from cases.models import Case, Stage

pytestmark = pytest.mark.django_db


def test_opening_a_case_makes_one_stage_of_each_kind_not_started(case):
    stages = list(case.stages.in_pipeline_order())
    assert [stage.kind for stage in stages] == Stage.Kind.values
    assert {stage.status for stage in stages} == {Stage.Status.NOT_STARTED}
    assert all(stage.history.count() == 1 for stage in stages)


def test_the_groupings_split_the_pipeline_in_two():
    assert Stage.Kind.PARALLEL == ("shelter", "food", "clothing", "psychological_support")
    assert Stage.Kind.SEQUENTIAL == ("travel_documents", "evacuation", "asylum_application", "resettled")
    assert set(Stage.Kind.PARALLEL) | set(Stage.Kind.SEQUENTIAL) == set(Stage.Kind.values)


def test_a_case_cannot_have_two_stages_of_one_kind(case):
    with pytest.raises(IntegrityError):
        Stage(case=case, data_key_id=case.data_key_id, kind="food").save()


def test_a_new_case_is_at_its_shelter_stage(case):
    assert Case.objects.with_current_stage().get(pk=case.pk).current_stage == "shelter"
