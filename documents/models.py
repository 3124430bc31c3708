"""Documents of a case (sealed files), the sharing of cases with lawyers, and batch exports of summaries."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, TravelPaper
from vault.fields import SealedTextField
from vault.models import DataKey, SealedModel


class DocumentQuerySet(models.QuerySet):
    def current(self) -> DocumentQuerySet:
        """Documents not removed (a removed one keeps its number, so exhibit numbers never change)."""
        return self.filter(removed_at__isnull=True)

    def for_list(self) -> DocumentQuerySet:
        """What a list of documents shows, in one query: who uploaded each, in exhibit order."""
        return self.select_related("uploaded_by").order_by("number")


class Document(SealedModel):
    """One uploaded file of a case: sealed at rest with the case's key, under a random name.

    The original file name is never kept (it often is a person's name). The
    SHA-256 of the content is sealed too: in clear it would let whoever holds a
    copy of a scan confirm, from a stolen database, that this person has a case.
    """

    class Kind(models.TextChoices):
        IDENTITY = "identity", _("Passport or ID")
        TRAVEL_DOCUMENT = "travel_document", _("Travel document")
        MEDICAL = "medical", _("Medical or psychological report")
        PERSECUTION = "persecution", _("Evidence of persecution")
        PHOTO = "photo", _("Photo")
        OTHER = "other", _("Other")

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    EXTENSIONS = {ContentType.PDF: "pdf", ContentType.JPEG: "jpg", ContentType.PNG: "png"}

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents", editable=False)
    # The exhibit number: 1, 2, 3... per case, never reused, so a lawyer's references stay right.
    number = models.PositiveIntegerField(_("number"), editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = SealedTextField(_("title"), max_length=200)
    description = SealedTextField(_("description"))
    # The paper of the travel checklist this document proves (a scan of the passport, the visa).
    travel_paper = models.ForeignKey(
        TravelPaper,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("travel paper"),
    )
    content_type = models.CharField(_("type"), max_length=32, choices=ContentType.choices, editable=False)
    size = models.PositiveBigIntegerField(_("size"), editable=False)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True, editable=False)
    sha256 = SealedTextField(max_length=64)
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = DocumentQuerySet.as_manager()
    history = HistoricalRecords()

    SEALED_FIELDS = ("title", "description", "sha256")

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="documents_one_number_per_case")]

    def __str__(self) -> str:
        return f"{self.case_id}: document {self.number}"

    def sealing_key(self) -> DataKey:
        return self.case.data_key

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.content_type]

    @property
    def is_image(self) -> bool:
        return self.content_type in (self.ContentType.JPEG, self.ContentType.PNG)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def download_name(self, reference: str) -> str:
        """The file name a download gets: the case reference and the number, nothing personal."""
        return f"{reference}-{self.number}.{self.extension}"


class CaseShareQuerySet(models.QuerySet):
    def open(self) -> CaseShareQuerySet:
        """Shares not ended by hand (they may have passed their end date)."""
        return self.filter(revoked_at__isnull=True)

    def active(self, *, today: datetime.date | None = None) -> CaseShareQuerySet:
        """Shares in force today: not ended, and the end date (inclusive) not passed."""
        today = today or timezone.localdate()
        return self.open().filter(models.Q(until__isnull=True) | models.Q(until__gte=today))


class CaseShare(models.Model):
    """A case shared with a lawyer, from `shared_at`, until the end of `until` (if set) or until ended.

    The lawyer's reading right is the guardian grant `cases.view_case` AND an
    active share (cases.access asks for both in SQL), so an end date takes
    effect on the first request after it, without any job running.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares", editable=False)
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_shares", verbose_name=_("lawyer")
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    shared_at = models.DateTimeField(_("shared"), default=timezone.now, editable=False)
    until = models.DateField(_("until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ended"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = CaseShareQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-shared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "lawyer"], condition=models.Q(revoked_at__isnull=True), name="documents_one_open_share"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} shared with {self.lawyer_id}"

    def is_active(self, *, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and (self.until is None or self.until >= today)


class ExportJob(models.Model):
    """A lawyer's batch export of summaries: which cases (by id), how far it got, and the sealed ZIP it made.

    The ZIP is sealed with a data key of its own (`data_key`), destroyed when
    the ZIP is downloaded, when a download is refused because a case in it is
    no longer shared, or PASSAGE_EXPORT_TTL_MINUTES after it was made,
    whichever comes first; the file is deleted at the same moment.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Working")
        READY = "ready", _("Ready to download")
        DOWNLOADED = "downloaded", _("Downloaded")
        EXPIRED = "expired", _("Expired")
        # Destroyed unread: a case in it was no longer shared with the lawyer when they came to download it.
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FAILED = "failed", _("Failed")

    FINISHED = (Status.DOWNLOADED, Status.EXPIRED, Status.WITHDRAWN, Status.FAILED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Ids, never objects: the worker reads each case afresh and checks the share again.
    case_ids = models.JSONField(default=list)
    lang = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # References (never names) of cases left out because they were no longer shared when their turn came.
    skipped = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    stored_name = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.pk}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and self.expires_at is not None and self.expires_at > timezone.now()

    def download_name(self) -> str:
        return f"summaries-{self.created_at:%Y%m%d-%H%M}.zip"
