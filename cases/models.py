"""Cases: one person's file. Identity and story are sealed; what coordinators count is open."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import OuterRef
from django.db.models.functions import Coalesce, Round
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases import currencies
from cases.countries import DESTINATIONS
from vault.blind_index import name_index, phone_index
from vault.fields import Sealed, SealedDateField, SealedTextField
from vault.keys import create_data_key
from vault.models import DataKey, SealedModel


def default_budget() -> Decimal:
    return settings.PASSAGE_DEFAULT_BUDGET_EUR


def money_field() -> models.DecimalField:
    """The output type of EUR sums: to the cent."""
    return models.DecimalField(max_digits=14, decimal_places=2)


def exact_eur_sum(field: str, *, where: models.Q | None = None) -> models.Expression:
    """SUM of a to-the-cent amount (of the rows matching `where`, if given), exact on every database.

    SQLite keeps decimals as binary floats and would sum them with float error;
    summing whole cents (integers, exact in a float up to 2**53) and dividing
    once keeps the total exact there, and changes nothing on PostgreSQL.
    """
    cents = models.Sum(
        Round(models.F(field) * 100), filter=where, output_field=models.DecimalField(max_digits=16, decimal_places=0)
    )
    return models.ExpressionWrapper(cents / 100, output_field=money_field())


class CaseQuerySet(models.QuerySet):
    def for_list(self) -> CaseQuerySet:
        """What a list page shows: the data key (to open names) and the assigned caseworkers, in fixed queries."""
        grants = CaseUserObjectPermission.objects.filter(permission__codename="change_case").select_related("user")
        return self.select_related("data_key").prefetch_related(
            models.Prefetch("user_grants", queryset=grants, to_attr="caseworker_grants")
        )

    def with_current_stage(self, *, status: bool = False) -> CaseQuerySet:
        """Annotates `current_stage`: the kind of stage the case is at, derived in SQL, never stored.

        The rule (see CURRENT_STAGE_RULE): the first stage in progress or blocked,
        looking at the way out (travel documents, evacuation, asylum application,
        resettled) before the support that runs alongside it (shelter, food,
        clothing, psychological support); if none is, the first stage not started
        yet, in pipeline order; if none is, the last stage done; else None (every
        stage "not needed", or a case without stage rows). Correlated subqueries:
        no extra query per case. With `status`, also `current_stage_status`
        (that stage's status), by the same rule.
        """
        stages = Stage.objects.filter(case=OuterRef("pk"))
        active = stages.filter(status__in=[Stage.Status.IN_PROGRESS, Stage.Status.BLOCKED]).order_by(
            models.Case(models.When(kind__in=SEQUENTIAL_STAGES, then=0), default=1), "position"
        )
        waiting = stages.filter(status=Stage.Status.NOT_STARTED).order_by("position")
        reached = stages.filter(status=Stage.Status.DONE).order_by("-position")

        def first(column: str) -> Coalesce:
            return Coalesce(
                *(models.Subquery(rows.values(column)[:1]) for rows in (active, waiting, reached)),
                output_field=models.CharField(max_length=32),
            )

        annotations = {"current_stage": first("kind")}
        if status:
            annotations["current_stage_status"] = first("status")
        return self.annotate(**annotations)

    def with_flags(self, *, today: datetime.date | None = None) -> CaseQuerySet:
        """Annotates what a list flags: `has_overdue_stage`, `has_blocked_stage`, `has_expiring_paper`.

        Each is an EXISTS subquery: a fixed number of queries for any page of cases.
        """
        today = today or timezone.localdate()
        stages = Stage.objects.filter(case=OuterRef("pk"))
        return self.annotate(
            has_overdue_stage=models.Exists(stages.overdue(today=today)),
            has_blocked_stage=models.Exists(stages.filter(status=Stage.Status.BLOCKED)),
            has_expiring_paper=models.Exists(TravelPaper.objects.filter(case=OuterRef("pk")).expiring(today=today)),
        )

    def with_spending(self) -> CaseQuerySet:
        """Annotates `spent_eur`: committed and paid expenses in EUR (reversals included), one subquery."""
        total = (
            Expense.objects.filter(case=OuterRef("pk"))
            .order_by()
            .values("case")
            .annotate(total=exact_eur_sum("amount_eur"))
            .values("total")
        )
        return self.annotate(
            spent_eur=Coalesce(models.Subquery(total), models.Value(Decimal("0.00")), output_field=money_field())
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
        # The lists' order: the newest 50 of 100,000 cases come from the index, not from sorting them all.
        indexes = [models.Index(fields=["-intake_date", "-id"], name="cases_case_list_order_idx")]
        permissions = [
            ("assign_case", _("Can assign caseworkers to cases")),
            ("change_budget", _("Can change the budget of a case")),
        ]

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


# ---- Stages: the support pipeline of a case, one row per kind ---------------------------------------------


class StageKind(models.TextChoices):
    """In pipeline order."""

    SHELTER = "shelter", _("Shelter")
    FOOD = "food", _("Food")
    CLOTHING = "clothing", _("Clothing")
    PSYCHOLOGICAL_SUPPORT = "psychological_support", _("Psychological support")
    TRAVEL_DOCUMENTS = "travel_documents", _("Travel documents")
    EVACUATION = "evacuation", _("Evacuation")
    ASYLUM_APPLICATION = "asylum_application", _("Asylum application")
    RESETTLED = "resettled", _("Resettled")


# Support that runs side by side, and the way out, whose stages follow each other.
PARALLEL_STAGES: tuple[str, ...] = (
    StageKind.SHELTER,
    StageKind.FOOD,
    StageKind.CLOTHING,
    StageKind.PSYCHOLOGICAL_SUPPORT,
)
SEQUENTIAL_STAGES: tuple[str, ...] = (
    StageKind.TRAVEL_DOCUMENTS,
    StageKind.EVACUATION,
    StageKind.ASYLUM_APPLICATION,
    StageKind.RESETTLED,
)
# Also reachable as Stage.Kind.PARALLEL / Stage.Kind.SEQUENTIAL (plain attributes, not members).
StageKind.PARALLEL = PARALLEL_STAGES
StageKind.SEQUENTIAL = SEQUENTIAL_STAGES
STAGE_POSITION: dict[str, int] = {kind: position for position, kind in enumerate(StageKind.values, start=1)}

CURRENT_STAGE_RULE = _(
    "The current stage is the first stage in progress or blocked (the way out before the support alongside it); "
    "if there is none, the first stage not started yet; if there is none, the last one done."
)


class StageQuerySet(models.QuerySet):
    def overdue(self, *, today: datetime.date | None = None) -> StageQuerySet:
        """Stages past their due date and neither done nor not needed."""
        today = today or timezone.localdate()
        return self.filter(due_on__lt=today).exclude(status__in=[Stage.Status.DONE, Stage.Status.NOT_NEEDED])

    def in_pipeline_order(self) -> StageQuerySet:
        return self.order_by("position")


class Stage(SealedModel):
    """One kind of support for one case, and where it stands. Made with the case (cases.stages.create_stages)."""

    Kind = StageKind
    PARALLEL = PARALLEL_STAGES
    SEQUENTIAL = SEQUENTIAL_STAGES

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")
        NOT_NEEDED = "not_needed", _("Not needed")

    class BlockedReason(models.TextChoices):
        WAITING_EMBASSY = "waiting_embassy", _("Waiting for an embassy")
        WAITING_DOCUMENTS = "waiting_documents", _("Waiting for documents")
        WAITING_FUNDS = "waiting_funds", _("Waiting for money")
        MEDICAL = "medical", _("Medical reasons")
        SECURITY = "security", _("Security risk")
        LEGAL = "legal", _("Legal obstacle")
        OTHER = "other", _("Other (see notes)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stages", editable=False)
    kind = models.CharField(_("stage"), max_length=32, choices=StageKind.choices, editable=False)
    # Pipeline order of `kind`, kept so SQL can order by it (set from kind on save).
    position = models.PositiveSmallIntegerField(editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    blocked_reason = models.CharField(_("blocked by"), max_length=32, choices=BlockedReason.choices, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    notes = SealedTextField(_("notes"))
    out_of_order_reason = SealedTextField(
        _("why it is done before the stage before it"),
        help_text=_("Kept when a stage of the way out is done before the one before it."),
    )
    # Raised by every change: a save based on an older version is refused (optimistic locking).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StageQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    SEALED_FIELDS = ("notes", "out_of_order_reason")

    class Meta:
        ordering = ["case_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="cases_stage_one_per_kind"),
            models.CheckConstraint(
                condition=models.Q(status="blocked", blocked_reason__gt="")
                | (~models.Q(status="blocked") & models.Q(blocked_reason="")),
                name="cases_stage_blocked_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="cases_stage_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"

    def save(self, *args, **kwargs) -> None:
        self.position = STAGE_POSITION[self.kind]
        super().save(*args, **kwargs)

    def sealing_key(self) -> DataKey:
        return self.case.data_key

    @property
    def is_sequential(self) -> bool:
        return self.kind in SEQUENTIAL_STAGES

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_on is not None
            and self.due_on < timezone.localdate()
            and self.status not in (self.Status.DONE, self.Status.NOT_NEEDED)
        )


# ---- Travel papers: the checklist inside the travel-documents stage ----------------------------------------


class TravelPaperQuerySet(models.QuerySet):
    def expiring(self, *, today: datetime.date | None = None) -> TravelPaperQuerySet:
        """Papers in hand that expire within PASSAGE_PAPER_EXPIRY_WARNING_DAYS (or have expired)."""
        today = today or timezone.localdate()
        limit = today + datetime.timedelta(days=settings.PASSAGE_PAPER_EXPIRY_WARNING_DAYS)
        return self.filter(status=TravelPaper.Status.OBTAINED, expires_on__lte=limit)


class TravelPaper(SealedModel):
    """A paper the person needs to travel, and where it stands. The scans come with the documents feature."""

    class Kind(models.TextChoices):
        INTERNAL_PASSPORT = "internal_passport", _("Internal passport")
        INTERNATIONAL_PASSPORT = "international_passport", _("International passport")
        VISA = "visa", _("Visa")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEEDED = "needed", _("Needed")
        APPLIED = "applied", _("Applied for")
        OBTAINED = "obtained", _("Obtained")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="travel_papers", editable=False)
    kind = models.CharField(_("paper"), max_length=32, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEEDED)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    obtained_on = models.DateField(_("obtained on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    notes = SealedTextField(_("notes"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = TravelPaperQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    SEALED_FIELDS = ("notes",)

    class Meta:
        ordering = ["case_id", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"

    def sealing_key(self) -> DataKey:
        return self.case.data_key

    @property
    def days_left(self) -> int | None:
        if self.expires_on is None:
            return None
        return (self.expires_on - timezone.localdate()).days

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.OBTAINED and self.days_left is not None and self.days_left < 0

    @property
    def is_expiring_soon(self) -> bool:
        """In hand and expiring within PASSAGE_PAPER_EXPIRY_WARNING_DAYS (an expired one counts too)."""
        return (
            self.status == self.Status.OBTAINED
            and self.days_left is not None
            and self.days_left <= settings.PASSAGE_PAPER_EXPIRY_WARNING_DAYS
        )


# ---- Money: expenses of a case, funds received, exchange rates ---------------------------------------------

MAX_EXPENSE_AMOUNT = Decimal("1000000.00")  # in the expense's own currency; more is a typo, not a cost
RATE_FIELD = {"max_digits": 18, "decimal_places": 10}  # EUR per unit: 0.0000700000 (UZS) to 3 (GBP-like)


class Expense(SealedModel):
    """Money spent or promised for a case, in its own currency, with the EUR amount fixed when recorded.

    A paid expense is never edited or deleted: it is corrected by a reversing
    entry (`reverses` set, amounts the negative mirror), and the right one is
    recorded anew. A committed (promised) one may be edited or deleted; its
    history keeps what it was.
    """

    class State(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        PAID = "paid", _("Paid")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="expenses", editable=False)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="expenses", verbose_name=_("stage"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=currencies.CHOICES)
    rate_to_eur = models.DecimalField(_("rate (EUR per unit)"), **RATE_FIELD)
    amount_eur = models.DecimalField(_("amount in EUR"), max_digits=12, decimal_places=2, editable=False)
    spent_on = models.DateField(_("date"))
    description = SealedTextField(_("what it was for"), max_length=500)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PAID)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        editable=False,
        verbose_name=_("reverses"),
    )
    # The token of the form that recorded it: a form sent twice (a bad connection) records it once.
    entry_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    SEALED_FIELDS = ("description",)

    class Meta:
        ordering = ["case_id", "spent_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(reverses__isnull=True, amount__gt=0, amount__lte=MAX_EXPENSE_AMOUNT)
                    | models.Q(reverses__isnull=False, amount__lt=0, amount__gte=-MAX_EXPENSE_AMOUNT)
                ),
                name="cases_expense_amount_in_range",
            ),
            models.CheckConstraint(condition=models.Q(rate_to_eur__gt=0), name="cases_expense_rate_positive"),
            models.CheckConstraint(
                condition=models.Q(reverses__isnull=True) | models.Q(state="paid"),
                name="cases_expense_reversal_is_paid",
            ),
            models.UniqueConstraint(fields=["reverses"], name="cases_expense_reversed_once"),
        ]
        # Sums of amount_eur per case, per stage and per month read these indexes alone (index-only scans),
        # not the table with its sealed descriptions: the dashboard's passes over a million expenses.
        indexes = [
            models.Index(fields=["case", "state", "amount_eur"], name="cases_expense_case_sums_idx"),
            models.Index(fields=["stage", "amount_eur"], name="cases_expense_stage_sums_idx"),
            models.Index(fields=["spent_on", "amount_eur"], name="cases_expense_month_sums_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def sealing_key(self) -> DataKey:
        return self.case.data_key

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class Fund(models.Model):
    """Money received (an appeal, a grant). Not case data: nothing in it is sealed, so name no private donor."""

    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_('The appeal or grant, e.g. "Spring appeal 2026". Never a private donor\'s name.'),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=currencies.CHOICES)
    rate_to_eur = models.DecimalField(_("rate (EUR per unit)"), **RATE_FIELD)
    amount_eur = models.DecimalField(_("amount in EUR"), max_digits=14, decimal_places=2, editable=False)
    received_on = models.DateField(_("received on"))
    restricted = models.BooleanField(
        _("restricted"), default=False, help_text=_("Given for a named purpose only (earmarked).")
    )
    note = models.TextField(_("note"), blank=True, max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="cases_fund_amount_positive"),
            models.CheckConstraint(condition=models.Q(rate_to_eur__gt=0), name="cases_fund_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount} {self.currency}"


class ExchangeRate(models.Model):
    """The coordinators' rate of a currency on a date, in EUR per unit. Expenses copy it when recorded."""

    currency = models.CharField(_("currency"), max_length=3, choices=currencies.RATE_CHOICES)
    on_date = models.DateField(_("date"))
    rate_to_eur = models.DecimalField(_("rate (EUR per unit)"), **RATE_FIELD)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-on_date", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "on_date"], name="cases_rate_one_per_day"),
            models.CheckConstraint(condition=models.Q(rate_to_eur__gt=0), name="cases_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.on_date}: {self.rate_to_eur}"

    @property
    def units_per_eur(self) -> Decimal:
        """The same rate the other way round (how many units one euro buys), to spot a rate typed backwards."""
        return (Decimal(1) / self.rate_to_eur).quantize(Decimal("0.0001"))
