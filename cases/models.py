"""Cases: one person's file. Identity and story are sealed; what coordinators count is open."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases.countries import DESTINATIONS
from vault.blind_index import name_index, phone_index
from vault.fields import Sealed, SealedDateField, SealedTextField
from vault.keys import create_data_key
from vault.models import DataKey, SealedModel


def default_budget() -> Decimal:
    return settings.PASSAGE_DEFAULT_BUDGET_EUR


class CaseQuerySet(models.QuerySet):
    def for_list(self) -> CaseQuerySet:
        """What a list page shows: the data key (to open names) and the assigned caseworkers, in fixed queries."""
        grants = CaseUserObjectPermission.objects.filter(permission__codename="change_case").select_related("user")
        return self.select_related("data_key").prefetch_related(
            models.Prefetch("user_grants", queryset=grants, to_attr="caseworker_grants")
        )


class Case(SealedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ON_HOLD = "on_hold", _("On hold")
        CLOSED = "closed", _("Closed")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)

    # Sealed: who the person is and what happened to them.
    legal_name = SealedTextField(_("legal name"), max_length=200)
    chosen_name = SealedTextField(_("chosen name"), max_length=200)
    pronouns = SealedTextField(_("pronouns"), max_length=50)
    date_of_birth = SealedDateField(_("date of birth"), blank=True)
    nationality = SealedTextField(_("nationality"), max_length=100)
    phone = SealedTextField(_("phone"), max_length=50)
    messenger = SealedTextField(_("messenger handle"), max_length=100)
    current_location = SealedTextField(_("current location"), max_length=300)
    narrative = SealedTextField(_("persecution narrative"))
    medical_notes = SealedTextField(_("medical notes"))
    psychological_notes = SealedTextField(_("psychological notes"))
    do_not_contact = SealedTextField(
        _("family and contacts who must not be told"),
        help_text=_("People who must never learn where this person is or that this case exists."),
    )

    # Keyed hashes for exact-match search (vault.blind_index); never clear text.
    legal_name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    chosen_name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    # Open: what coordinators count and sort by.
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    risk = models.CharField(_("risk"), max_length=16, choices=Risk.choices, default=Risk.MEDIUM, db_index=True)
    intake_date = models.DateField(_("intake date"))
    destination_country = models.CharField(_("destination country"), max_length=2, choices=DESTINATIONS, blank=True)
    budget_eur = models.DecimalField(_("budget (EUR)"), max_digits=12, decimal_places=2, default=default_budget)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    # Raised by every edit: a save based on an older version is refused (optimistic locking).
    version = models.PositiveIntegerField(default=1, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CaseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    SEALED_FIELDS = (
        "legal_name",
        "chosen_name",
        "pronouns",
        "date_of_birth",
        "nationality",
        "phone",
        "messenger",
        "current_location",
        "narrative",
        "medical_notes",
        "psychological_notes",
        "do_not_contact",
    )

    class Meta:
        ordering = ["-intake_date", "-pk"]
        permissions = [("assign_case", _("Can assign caseworkers to cases"))]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs) -> None:
        self._refresh_blind_indexes()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.reference])

    def sealing_key(self) -> DataKey:
        return create_data_key()

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def caseworkers(self) -> list:
        """Assigned caseworkers, as prefetched by for_list()."""
        return [grant.user for grant in getattr(self, "caseworker_grants", [])]

    @property
    def display_name(self) -> str:
        """The name a caseworker calls the person by. Opens sealed fields: only for those who may read them."""
        return self.chosen_name or self.legal_name

    def _refresh_blind_indexes(self) -> None:
        # Only values set or read since loading can have changed; sealed ones are left as they are.
        for field, index, function in (
            ("legal_name", "legal_name_index", name_index),
            ("chosen_name", "chosen_name_index", name_index),
            ("phone", "phone_index", phone_index),
        ):
            value = self.__dict__.get(field)
            if value is None:
                setattr(self, index, "")
            elif not isinstance(value, Sealed):
                setattr(self, index, function(value))


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key grants (django-guardian): who may see or change which case."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="user_grants")


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="group_grants")


class ReferenceCounter(models.Model):
    """The last number given out in a year, locked while the next reference is chosen."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
