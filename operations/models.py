"""Emergency access: a coordinator's break-glass opening of one case's sealed fields."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class BreakGlassQuerySet(models.QuerySet):
    def active(self) -> BreakGlassQuerySet:
        return self.filter(expires_at__gt=timezone.now())


class BreakGlass(models.Model):
    """A coordinator may read one case's sealed fields until `expires_at`, for the reason given.

    The reason is written by the coordinator for the caseworkers and the log: it must explain,
    not quote the case.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="break_glass")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = BreakGlassQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["case", "coordinator", "expires_at"])]

    def __str__(self) -> str:
        return f"break-glass {self.case_id} by {self.coordinator_id}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
