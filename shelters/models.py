"""Safe houses, who stays in which and when, requests for a place, and cases kept apart.

A placement occupies a bed from `starts_on` (the night of arrival) up to but
not including `ends_on` (the day of departure), so a bed freed on a day can be
taken by somebody arriving that same day. `ends_on` empty means open-ended.
A placement whose `ends_on` equals its `starts_on` was cancelled before its
first night: it occupies nothing and stays only for the history.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case
from vault.fields import SealedTextField
from vault.keys import create_data_key
from vault.models import DataKey, SealedModel

# How far ahead occupancy looks for planned arrivals and departures.
OCCUPANCY_HORIZON_DAYS = 30


class ShelterQuerySet(models.QuerySet):
    def active(self) -> ShelterQuerySet:
        return self.filter(status=Shelter.Status.ACTIVE)

    def with_address_for(self, user, *, on: datetime.date) -> ShelterQuerySet:
        """Annotates `address_visible`: whether one of this caseworker's cases is placed there on that day."""
        from cases.access import CHANGE

        return self.annotate(
            address_visible=models.Exists(
                Placement.objects.covering(on).filter(
                    shelter=models.OuterRef("pk"),
                    case__user_grants__user=user,
                    case__user_grants__permission__codename=CHANGE,
                    case__erased_at__isnull=True,
                )
            )
        )

    def with_occupancy(self, *, on: datetime.date) -> ShelterQuerySet:
        """Beds taken on `on`, and arrivals and departures planned in the OCCUPANCY_HORIZON_DAYS after it.

        One query whatever the number of shelters and placements: each figure is
        a filtered count over the shelter's placements, grouped in SQL.
        """
        horizon = on + datetime.timedelta(days=OCCUPANCY_HORIZON_DAYS)
        effective = Q(placements__ends_on__isnull=True) | Q(placements__ends_on__gt=F("placements__starts_on"))
        occupied = Q(placements__starts_on__lte=on) & (
            Q(placements__ends_on__isnull=True) | Q(placements__ends_on__gt=on)
        )
        arriving = effective & Q(placements__starts_on__gt=on, placements__starts_on__lte=horizon)
        departing = effective & Q(placements__ends_on__gt=on, placements__ends_on__lte=horizon)
        return self.annotate(
            occupied=models.Count("placements", filter=occupied),
            arrivals=models.Count("placements", filter=arriving),
            departures=models.Count("placements", filter=departing),
        )


class Shelter(SealedModel):
    """A safe house. Its address, contact and notes are sealed with a data key of its own,
    so a dump of the database does not reveal where anybody hides, and erasing the
    shelter's details destroys that key like erasing a case does."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    code_name = models.CharField(
        _("code name"),
        max_length=60,
        unique=True,
        help_text=_("What everybody calls this house. Never a street, a landlord's name or anything that locates it."),
    )
    city = models.CharField(_("city"), max_length=100)
    capacity = models.PositiveIntegerField(_("beds"), validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    monthly_cost_eur = models.DecimalField(
        _("monthly running cost (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    # Sealed: where the house is and how to reach it.
    address = SealedTextField(_("address"), max_length=300)
    contact = SealedTextField(_("contact"), max_length=300)
    notes = SealedTextField(_("notes"))

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ShelterQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    SEALED_FIELDS = ("address", "contact", "notes")

    class Meta:
        ordering = ["code_name"]
        verbose_name = _("safe house")
        verbose_name_plural = _("safe houses")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shelters_shelter_has_a_bed"),
            models.CheckConstraint(
                condition=Q(monthly_cost_eur__isnull=True) | Q(monthly_cost_eur__gte=0),
                name="shelters_shelter_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.code_name

    def get_absolute_url(self) -> str:
        return reverse("shelters:detail", args=[self.pk])

    def sealing_key(self) -> DataKey:
        return create_data_key()

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class PlacementQuerySet(models.QuerySet):
    def effective(self) -> PlacementQuerySet:
        """Leaves out placements cancelled before their first night (they occupy nothing)."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")))

    def covering(self, day: datetime.date) -> PlacementQuerySet:
        """Placements that hold a bed on the night of `day`."""
        return self.filter(Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gt=day)))

    def overlapping(self, starts_on: datetime.date, ends_on: datetime.date | None) -> PlacementQuerySet:
        """Placements that hold a bed on at least one night from `starts_on` up to `ends_on` (None: for good)."""
        found = self.effective().filter(Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on))
        if ends_on is not None:
            found = found.filter(starts_on__lt=ends_on)
        return found

    def open_on(self, day: datetime.date) -> PlacementQuerySet:
        """Placements that hold a bed on `day` or on any later night."""
        return self.effective().filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))


class Placement(models.Model):
    """A case's stay in a safe house. Written only by shelters.services, which keeps every
    shelter within its beds on every night."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="placements", verbose_name=_("case"))
    shelter = models.ForeignKey(
        Shelter, on_delete=models.PROTECT, related_name="placements", verbose_name=_("safe house")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlacementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="shelters_placement_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["shelter", "starts_on"], name="shelters_pl_shelter_start_idx"),
            models.Index(fields=["case", "starts_on"], name="shelters_pl_case_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} in {self.shelter_id} from {self.starts_on}"

    @property
    def is_cancelled(self) -> bool:
        return self.ends_on is not None and self.ends_on == self.starts_on

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on > day)


class PlacementRequest(SealedModel):
    """A caseworker asks for a place for their case; a coordinator grants it (placing the case) or declines.

    The note is for the coordinator who decides (practical needs, not who the
    person is); it is sealed with the case's key, so erasing the case erases it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        GRANTED = "granted", _("Granted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="placement_requests", verbose_name=_("case"))
    wanted_from = models.DateField(_("wanted from"))
    note = SealedTextField(_("note for the coordinator"), max_length=1000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Written by the coordinator, read by the caseworker: a practical reason, never a name or an address.
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)
    placement = models.OneToOneField(
        Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="request", editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["wanted_from", "pk"]
        verbose_name = _("request for a place")
        verbose_name_plural = _("requests for a place")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="shelters_one_pending_request_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.pk} for {self.case_id}"

    def sealing_key(self) -> DataKey:
        return self.case.data_key

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class KeepApart(models.Model):
    """Two cases that must never stay in the same safe house at the same time.

    Stored once per pair, the lower case id first, so the pair is unique whichever
    way round it was entered.
    """

    class Reason(models.TextChoices):
        SAME_TOWN = "same_town", _("From the same town")
        FAMILY = "family_conflict", _("Family conflict")
        FORMER_PARTNERS = "former_partners", _("Former partners")
        SAFETY = "safety", _("Safety concern")
        OTHER = "other", _("Other")

    case_a = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+", verbose_name=_("case"))
    case_b = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+", verbose_name=_("other case"))
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cases kept apart")
        verbose_name_plural = _("cases kept apart")
        constraints = [
            models.UniqueConstraint(fields=["case_a", "case_b"], name="shelters_keep_apart_once_per_pair"),
            models.CheckConstraint(condition=Q(case_a__lt=F("case_b")), name="shelters_keep_apart_ordered_pair"),
        ]

    def __str__(self) -> str:
        return f"keep {self.case_a_id} and {self.case_b_id} apart"

    def other(self, case: Case) -> Case:
        return self.case_b if case.pk == self.case_a_id else self.case_a
