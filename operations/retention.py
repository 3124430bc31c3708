"""Retention: cases closed as resettled more than PASSAGE_RETENTION_DAYS ago are due for erasure.

A case is due when its status is closed, its "resettled" stage is done, and
that stage ended more than N days ago. Erasure is the crypto-erasure of the
cases issue: the person's data goes; the reference, dates, stages' statuses
and amounts stay, so the dashboard's and the donor report's figures do not
change.
"""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from cases.models import Case, Stage


def due_for_erasure(*, today: datetime.date | None = None) -> QuerySet[Case]:
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.PASSAGE_RETENTION_DAYS)
    resettled = Stage.objects.filter(case=OuterRef("pk"), kind=Stage.Kind.RESETTLED, status=Stage.Status.DONE)
    return (
        Case.objects.filter(status=Case.Status.CLOSED, erased_at__isnull=True)
        .filter(Exists(resettled.filter(ended_on__lte=cutoff)))
        .annotate(resettled_on=Subquery(resettled.values("ended_on")[:1]))
        .order_by("resettled_on", "reference")
    )
