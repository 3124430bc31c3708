"""Forms of case work. Each says what is wrong in words a caseworker can act on."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import currencies
from cases.models import MAX_EXPENSE_AMOUNT, Case, Expense, Stage, TravelPaper
from cases.money import ExpenseValues, FundValues
from cases.stages import PaperValues, StageChange

PHONE = re.compile(r"^\+?[0-9 ()./-]{5,30}$")

CASE_FORM_FIELDS = [
    "legal_name",
    "chosen_name",
    "pronouns",
    "date_of_birth",
    "nationality",
    "phone",
    "messenger",
    "current_location",
    "risk",
    "intake_date",
    "destination_country",
    "narrative",
    "medical_notes",
    "psychological_notes",
    "do_not_contact",
]


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = CASE_FORM_FIELDS
        widgets = {"intake_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intake_date"].initial = timezone.localdate
        for name in ("narrative", "medical_notes", "psychological_notes", "do_not_contact"):
            self.fields[name].widget.attrs["rows"] = 5

    def clean_date_of_birth(self) -> datetime.date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born is not None:
            if born > timezone.localdate():
                raise forms.ValidationError(_("A date of birth cannot be in the future."))
            if born.year < 1900:
                raise forms.ValidationError(_("Check the year of birth."))
        return born

    def clean_intake_date(self) -> datetime.date:
        intake = self.cleaned_data["intake_date"]
        if intake > timezone.localdate():
            raise forms.ValidationError(_("The intake date cannot be in the future."))
        return intake

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("A phone number has digits, spaces, brackets, dashes and an optional +."))
        return phone

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("legal_name", "").strip() and not cleaned.get("chosen_name", "").strip():
            raise forms.ValidationError(_("Give at least a legal name or a chosen name."))
        return cleaned


class CaseEditForm(CaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta(CaseForm.Meta):
        fields = [*CASE_FORM_FIELDS, "status"]


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any")), *Case.Status.choices], required=False)
    risk = forms.ChoiceField(label=_("Risk"), choices=[("", _("Any")), *Case.Risk.choices], required=False)


class CaseSearchForm(forms.Form):
    """Sent by POST, so a name or phone number never appears in a URL or a server log."""

    q = forms.CharField(
        label=_("Find a case"),
        max_length=200,
        help_text=_("A reference (EV-2026-0042), or an exact full name or phone number."),
    )

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()


class AssignForm(forms.Form):
    caseworker = forms.ModelChoiceField(label=_("Caseworker"), queryset=None, empty_label=None)

    def __init__(self, *args, **kwargs) -> None:
        from accounts.models import User
        from accounts.roles import Role

        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = User.objects.filter(
            is_active=True, groups__name=Role.CASEWORKER.value
        ).order_by("username")
        self.fields["caseworker"].to_field_name = "username"


# ---- Stages, travel papers and money (cases.stages, cases.money) -------------------------------------------


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.Form, errors: dict[str, str]) -> None:
    """Puts a service's errors on the form: on their field when the form has it, else on the whole form."""
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)


class AmountField(forms.Field):
    """A decimal amount as people type it: "1250.50", "1250,50" or "1 250,50". Never a float."""

    widget = forms.TextInput

    def __init__(self, *, max_places: int = 2, **kwargs) -> None:
        self.max_places = max_places
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": "40"})

    def to_python(self, value) -> Decimal | None:
        if isinstance(value, Decimal):
            return value
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if len(text) > 40:
            raise forms.ValidationError(_("Type a number, such as 125.50."))
        text = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        if "," in text and "." in text:
            raise forms.ValidationError(_("Type the number without thousands separators, such as 1250.50."))
        text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Type a number, such as 125.50.")) from None
        if not number.is_finite():
            raise forms.ValidationError(_("Type a number, such as 125.50."))
        if -number.as_tuple().exponent > self.max_places and number != number.quantize(
            Decimal(1).scaleb(-self.max_places)
        ):
            raise forms.ValidationError(_("Use at most %(places)s decimal places.") % {"places": self.max_places})
        return number


class StageForm(forms.Form):
    """One stage of the board, changed in place. Used with prefix=<kind>, so every stage's fields are distinct."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label=_("Status"), choices=Stage.Status.choices)
    blocked_reason = forms.ChoiceField(
        label=_("Blocked by"),
        choices=[("", _("— (only if blocked)")), *Stage.BlockedReason.choices],
        required=False,
    )
    started_on = forms.DateField(label=_("Started"), required=False, widget=date_input())
    ended_on = forms.DateField(label=_("Ended"), required=False, widget=date_input())
    due_on = forms.DateField(label=_("Due by"), required=False, widget=date_input())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    out_of_order_reason = forms.CharField(
        label=_("Why is it done before the stage before it?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @classmethod
    def for_stage(cls, stage: Stage) -> StageForm:
        return cls(
            prefix=stage.kind,
            initial={
                "version": stage.version,
                "status": stage.status,
                "blocked_reason": stage.blocked_reason,
                "started_on": stage.started_on,
                "ended_on": stage.ended_on,
                "due_on": stage.due_on,
                "notes": stage.notes or "",
            },
        )

    def change(self) -> StageChange:
        data = self.cleaned_data
        return StageChange(
            status=data["status"],
            blocked_reason=data["blocked_reason"],
            started_on=data["started_on"],
            ended_on=data["ended_on"],
            due_on=data["due_on"],
            notes=data["notes"],
            out_of_order_reason=data["out_of_order_reason"],
        )

    @property
    def asks_reason(self) -> bool:
        """Show the reason field: the service asked for it, or one was typed (kept when other fields had errors)."""
        return self.is_bound and ("out_of_order_reason" in self.errors or bool(self["out_of_order_reason"].value()))


class PaperForm(forms.Form):
    """A paper of the travel-documents checklist (prefix "paper-new", or "paper-<id>" for one on the list)."""

    kind = forms.ChoiceField(label=_("Paper"), choices=TravelPaper.Kind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=TravelPaper.Status.choices)
    applied_on = forms.DateField(label=_("Applied on"), required=False, widget=date_input())
    obtained_on = forms.DateField(label=_("Obtained on"), required=False, widget=date_input())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=date_input())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def for_paper(cls, paper: TravelPaper) -> PaperForm:
        return cls(
            prefix=f"paper-{paper.pk}",
            initial={
                "kind": paper.kind,
                "status": paper.status,
                "applied_on": paper.applied_on,
                "obtained_on": paper.obtained_on,
                "expires_on": paper.expires_on,
                "notes": paper.notes or "",
            },
        )

    def values(self) -> PaperValues:
        return PaperValues(**self.cleaned_data)


class ExpenseForm(forms.Form):
    """Recording (or changing) an expense; comes back with warnings and a confirmation box when it should."""

    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=Stage.Kind.choices,
        error_messages={"invalid_choice": _("Choose one of the stages of the list.")},
    )
    amount = AmountField(label=_("Amount"))
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=currencies.CHOICES,
        error_messages={"invalid_choice": _("Choose a currency of the list.")},
    )
    rate_to_eur = AmountField(
        label=_("Rate: EUR per one unit"),
        max_places=10,
        required=False,
        help_text=_("Leave empty to take the coordinators' rate for that date. For 100 RUB = 1.05 EUR, type 0.0105."),
    )
    spent_on = forms.DateField(label=_("Date"), widget=date_input())
    state = forms.ChoiceField(
        label=_("State"),
        choices=Expense.State.choices,
        initial=Expense.State.PAID,
        widget=forms.RadioSelect,
        help_text=_("Committed: promised, not paid yet."),
    )
    description = forms.CharField(
        label=_("What it was for"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    entry_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    confirmed_eur = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=14, decimal_places=2)
    confirm = forms.BooleanField(label=_("I have checked: save it anyway."), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        if not self.is_bound:
            self.fields["spent_on"].initial = timezone.localdate
            self.fields["entry_token"].initial = uuid.uuid4

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("An amount is more than zero. To correct a paid expense, reverse it."))
        if amount > MAX_EXPENSE_AMOUNT:
            raise forms.ValidationError(_("One expense is at most 1,000,000. Check the amount, or split it."))
        return amount

    def clean_rate_to_eur(self) -> Decimal | None:
        rate = self.cleaned_data["rate_to_eur"]
        if rate is not None and rate <= 0:
            raise forms.ValidationError(_("A rate is more than zero."))
        return rate

    def values(self) -> ExpenseValues:
        data = self.cleaned_data
        return ExpenseValues(
            stage=data["stage"],
            amount=data["amount"],
            currency=data["currency"],
            spent_on=data["spent_on"],
            state=data["state"],
            rate_to_eur=data["rate_to_eur"],
            description=data["description"],
        )

    def confirmed(self) -> Decimal | None:
        """The EUR amount the user confirmed after seeing the warnings, if they ticked the box."""
        return self.cleaned_data.get("confirmed_eur") if self.cleaned_data.get("confirm") else None

    @classmethod
    def asking_confirmation(cls, data, *, prefix: str | None, warnings: list[str], amount_eur: Decimal) -> ExpenseForm:
        """The same form again, with the warnings and a box to tick; nothing was saved."""
        data = data.copy()
        name = f"{prefix}-confirmed_eur" if prefix else "confirmed_eur"
        data[name] = str(amount_eur)
        data.pop(f"{prefix}-confirm" if prefix else "confirm", None)
        form = cls(data, prefix=prefix)
        form.is_valid()
        form.warnings = warnings
        form.amount_eur = amount_eur
        return form

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings)


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=date_input())


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("What was wrong with it"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the correction. Then record the right expense, if there is one."),
    )
    on_date = forms.DateField(label=_("Date of the correction"), widget=date_input())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_date"].initial = timezone.localdate


class BudgetForm(forms.Form):
    budget_eur = AmountField(label=_("Budget (EUR)"))
    reason = forms.CharField(
        label=_("Why it changes"),
        max_length=100,
        help_text=_("Kept in the case's history, for the accounts. No names."),
    )


class FundForm(forms.Form):
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_('The appeal or grant, such as "Spring appeal 2026". Never a private donor\'s name.'),
    )
    amount = AmountField(label=_("Amount"))
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=currencies.CHOICES,
        error_messages={"invalid_choice": _("Choose a currency of the list.")},
    )
    rate_to_eur = AmountField(
        label=_("Rate: EUR per one unit"),
        max_places=10,
        required=False,
        help_text=_("Leave empty to take the rate of the table for that date."),
    )
    received_on = forms.DateField(label=_("Received on"), widget=date_input())
    restricted = forms.BooleanField(label=_("Restricted (given for a named purpose only)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("An amount is more than zero."))
        return amount

    def values(self) -> FundValues:
        return FundValues(**self.cleaned_data)


class RateForm(forms.Form):
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=currencies.RATE_CHOICES,
        error_messages={"invalid_choice": _("Choose a currency of the list (EUR is always 1).")},
    )
    on_date = forms.DateField(label=_("Date"), widget=date_input())
    rate_to_eur = AmountField(
        label=_("Rate: EUR per one unit"),
        max_places=10,
        help_text=_("For 100 RUB = 1.05 EUR, type 0.0105."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_date"].initial = timezone.localdate


class RateFilterForm(forms.Form):
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", _("Any")), *currencies.RATE_CHOICES], required=False
    )
