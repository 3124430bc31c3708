"""The access log: who read, changed or exported what, when and from where.

Entries are only ever added, by `audit.services.record_access`, each chained
to the one before by a SHA-256 hash (`audit.chain`). Nothing in Passage
updates or deletes an entry: the model and its QuerySet refuse to, and on
PostgreSQL a trigger refuses even raw SQL (migration 0002).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import TruncHour
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.chain import entry_hash


class AccessLogIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an entry of the access log."""


class Action(models.TextChoices):
    CASE_LIST = "case_list", _("Viewed the case list")
    CASE_VIEW = "case_view", _("Opened a case")
    CASE_CREATE = "case_create", _("Created a case")
    CASE_EDIT = "case_edit", _("Edited a case")
    CASE_SEARCH = "case_search", _("Searched cases")
    CASE_HISTORY = "case_history", _("Viewed a case's history")
    CASE_ASSIGN = "case_assign", _("Assigned a caseworker")
    CASE_UNASSIGN = "case_unassign", _("Unassigned a caseworker")
    CASE_SHARE = "case_share", _("Shared a case with a lawyer")
    CASE_UNSHARE = "case_unshare", _("Stopped sharing a case")
    CASE_ERASE = "case_erase", _("Erased a case")
    CASE_IMPORT = "case_import", _("Imported cases")
    DOCUMENT_VIEW = "document_view", _("Viewed a document")
    DOCUMENT_DOWNLOAD = "document_download", _("Downloaded a document")
    DOCUMENT_UPLOAD = "document_upload", _("Uploaded a document")
    SUMMARY_EXPORT = "summary_export", _("Exported a case summary")
    BATCH_EXPORT = "batch_export", _("Exported a batch of summaries")
    BREAK_GLASS = "break_glass", _("Break-glass access")
    REFUSED = "refused", _("Access refused")
    SHELTER_VIEW = "shelter_view", _("Viewed a safe house")
    SHELTER_CHANGE = "shelter_change", _("Added or changed a safe house")
    PLACEMENT = "placement", _("Placed, moved or ended a stay in a safe house")
    PLACE_REQUEST = "place_request", _("Requested, granted or declined a place")
    REPORT_EXPORT = "report_export", _("Exported the donor report")
    SESSION_END = "session_end", _("Ended sessions")
    ACCOUNT_CHANGE = "account_change", _("Added or changed an account (roles, password, second factor)")
    LOCKDOWN = "lockdown", _("Lockdown")
    STAGE_UPDATE = "stage_update", _("Changed a stage of a case")
    PAPER_UPDATE = "paper_update", _("Changed a travel paper of a case")
    EXPENSE_ADD = "expense_add", _("Recorded an expense")
    EXPENSE_CHANGE = "expense_change", _("Changed or deleted an expense")
    EXPENSE_REVERSE = "expense_reverse", _("Reversed a paid expense")
    BUDGET_CHANGE = "budget_change", _("Changed a case's budget")
    FUND_CHANGE = "fund_change", _("Recorded or changed a fund")
    RATE_CHANGE = "rate_change", _("Set an exchange rate")


# Actions that open one case's contents: what the unusual-reading flag counts.
READING_ACTIONS = (
    Action.CASE_VIEW,
    Action.CASE_HISTORY,
    Action.DOCUMENT_VIEW,
    Action.DOCUMENT_DOWNLOAD,
    Action.SUMMARY_EXPORT,
)


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        raise AccessLogIsAppendOnly("The access log is append-only: entries are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AccessLogIsAppendOnly("The access log is append-only: entries are never deleted.")

    def bulk_update(self, objs, fields, batch_size=None) -> int:
        raise AccessLogIsAppendOnly("The access log is append-only: entries are never updated.")

    def bulk_create(self, objs, *args, **kwargs) -> list:
        # Each entry is chained to the one before under a lock; only record_access knows how.
        raise AccessLogIsAppendOnly("Access-log entries are added one at a time by audit.services.record_access.")

    def matching(
        self,
        *,
        username: str = "",
        case_reference: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> AccessEventQuerySet:
        """Entries of this user, about this case, at or after `since` and before `until` (each optional)."""
        events = self
        if username:
            events = events.filter(username=username)
        if case_reference:
            events = events.filter(case_reference=case_reference)
        if since is not None:
            events = events.filter(at__gte=since)
        if until is not None:
            events = events.filter(at__lt=until)
        return events

    def unusual_reading(self, *, more_than: int) -> models.QuerySet:
        """Per user and clock hour, the number of distinct cases opened, where it is above `more_than`.

        One query (grouped in SQL) whatever the number of entries; rows are
        dicts with `username`, `hour` and `cases`, most cases first.
        """
        return (
            self.filter(action__in=READING_ACTIONS)
            .exclude(case_reference="")
            .annotate(hour=TruncHour("at"))
            .values("username", "hour")
            .annotate(cases=models.Count("case_reference", distinct=True))
            .filter(cases__gt=more_than)
            .order_by("-cases", "-hour", "username")
        )


class AccessEvent(models.Model):
    Action = Action

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # No database constraint and no cascade: an entry outlives the account it names, unchanged
    # (SET_NULL would be an UPDATE, which the log refuses), and `username` keeps the name.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action)
    # A reference such as EV-2026-0042, never a name.
    case_reference = models.CharField(_("case reference"), max_length=32, blank=True)
    target = models.CharField(_("target"), max_length=100, blank=True)
    # A coordinator's reason, or the hash of an exported file; never personal data from a case.
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        # Even Django's internal lookups go through the QuerySet that refuses updates and deletes.
        base_manager_name = "objects"
        default_manager_name = "objects"
        indexes = [
            models.Index(fields=["username", "id"], name="audit_event_username_idx"),
            models.Index(fields=["case_reference", "id"], name="audit_event_case_idx"),
        ]

    def __str__(self) -> str:
        return f"access event {self.pk}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AccessLogIsAppendOnly("The access log is append-only: entries are never updated.")
        if not self.hash or self.hash != self.compute_hash():
            raise AccessLogIsAppendOnly("Access-log entries are added by audit.services.record_access.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        raise AccessLogIsAppendOnly("The access log is append-only: entries are never deleted.")

    def compute_hash(self) -> str:
        """What this entry's hash must be, from its fields as they are now."""
        return entry_hash(
            id=self.pk,
            at=self.at,
            user_id=self.user_id,
            username=self.username,
            action=self.action,
            case_reference=self.case_reference,
            target=self.target,
            detail=self.detail,
            address=self.address,
            prev_hash=self.prev_hash,
        )
