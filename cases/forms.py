"""Forms of case work. Each says what is wrong in words a caseworker can act on."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case

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
