"""Stages of a case and the travel papers inside one of them: the rules of moving a case along."""

from __future__ import annotations

from accounts.models import User
from cases.models import Case, Stage


def create_stages(*, case: Case, user: User | None = None) -> list[Stage]:
    """One stage row per kind, not started, for a case being opened (inside its transaction)."""
    stages = []
    for kind in Stage.Kind.values:
        stage = Stage(case=case, data_key_id=case.data_key_id, kind=kind)
        stage._change_reason = "opened"
        stage.save()
        stages.append(stage)
    return stages
