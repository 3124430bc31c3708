"""Forms of safe houses and placements. Each says what is wrong in words a coordinator can act on."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from cases.access import REFERENCE_PATTERN, cases_for_user
from cases.models import Case
from shelters.models import KeepApart, Shelter

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LONGEST_REPORT_DAYS = 366 * 5
EARLIEST_REPORT_DATE = datetime.date(2000, 1, 1)


class ShelterForm(forms.ModelForm):
    class Meta:
        model = Shelter
        fields = ["code_name", "city", "capacity", "monthly_cost_eur", "address", "contact", "notes"]
        help_texts = {
            "address": _(
                "Sealed. Shown to coordinators, and to a caseworker only while one of their cases stays here."
            ),
            "contact": _("Sealed. Shown to coordinators only."),
            "notes": _("Sealed. Shown to coordinators only."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # One rule, one message: the model's and the form field's own minimums would each say it differently.
        self.fields["capacity"].validators = [MinValueValidator(1, message=_("A safe house has at least one bed."))]
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["monthly_cost_eur"].widget.attrs["min"] = 0
        self.fields["notes"].widget.attrs["rows"] = 4

    def clean_code_name(self) -> str:
        return self.cleaned_data["code_name"].strip()

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data.get("capacity")
        if capacity is None or capacity < 1:
            raise forms.ValidationError(_("A safe house has at least one bed."))
        return capacity

    def clean_monthly_cost_eur(self) -> Decimal | None:
        cost = self.cleaned_data.get("monthly_cost_eur")
        if cost is not None and cost < 0:
            raise forms.ValidationError(_("A running cost cannot be negative."))
        return cost


class ShelterEditForm(ShelterForm):
    class Meta(ShelterForm.Meta):
        fields = ["code_name", "city", "capacity", "status", "monthly_cost_eur", "address", "contact", "notes"]


class ShelterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Shelter) -> str:
        free = getattr(obj, "occupied", None)
        if free is None:
            return f"{obj.code_name} · {obj.city}"
        return _("%(shelter)s · %(city)s · %(free)s of %(beds)s beds free today") % {
            "shelter": obj.code_name,
            "city": obj.city,
            "free": max(obj.capacity - obj.occupied, 0),
            "beds": obj.capacity,
        }


def _shelter_field(label) -> ShelterChoiceField:
    return ShelterChoiceField(
        label=label,
        queryset=Shelter.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose an open safe house from the list.")},
    )


class _ShelterChoiceForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shelter"].queryset = Shelter.objects.active().with_occupancy(on=timezone.localdate())


class PlaceForm(_ShelterChoiceForm):
    shelter = _shelter_field(_("Safe house"))
    starts_on = forms.DateField(label=_("First night"), widget=DATE_WIDGET, initial=timezone.localdate)
    ends_on = forms.DateField(
        label=_("Leaves on"), widget=DATE_WIDGET, required=False, help_text=_("Leave empty until it is known.")
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("A stay ends after the day it starts."))
        return cleaned


class MoveForm(_ShelterChoiceForm):
    shelter = _shelter_field(_("Move to"))
    on = forms.DateField(label=_("On"), widget=DATE_WIDGET, initial=timezone.localdate)


class EndForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Leaves on"),
        widget=DATE_WIDGET,
        initial=timezone.localdate,
        help_text=_("The day of leaving. The first day of the stay cancels it."),
    )


class GrantForm(_ShelterChoiceForm):
    shelter = _shelter_field(_("Safe house"))
    starts_on = forms.DateField(label=_("First night"), widget=DATE_WIDGET)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("The caseworker reads this. Never a name or an address."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the request is declined."))
        return reason


class PlaceRequestForm(forms.Form):
    wanted_from = forms.DateField(label=_("Wanted from"), widget=DATE_WIDGET, initial=timezone.localdate)
    note = forms.CharField(
        label=_("Note for the coordinator"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Practical needs only (a ground floor, a quiet room, cases to keep apart by reference). "
            "Never a name or where the person is. Stored sealed."
        ),
    )

    def clean_wanted_from(self) -> datetime.date:
        wanted = self.cleaned_data["wanted_from"]
        if wanted < timezone.localdate():
            raise forms.ValidationError(_("A place can be wanted from today on, not in the past."))
        return wanted


class KeepApartForm(forms.Form):
    other = forms.CharField(label=_("Keep apart from (reference)"), max_length=32)
    reason = forms.ChoiceField(label=_("Why"), choices=KeepApart.Reason.choices)

    def __init__(self, *args, user: User, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.case = case

    def clean_other(self) -> Case:
        reference = self.cleaned_data["other"].strip().upper()
        other = None
        if REFERENCE_PATTERN.fullmatch(reference):
            other = cases_for_user(self.user).filter(reference=reference).first()
        if other is None:
            raise forms.ValidationError(_("There is no case with that reference."))
        if other.pk == self.case.pk:
            raise forms.ValidationError(_("A case cannot be kept apart from itself."))
        return other


class AssignmentForm(forms.Form):
    reference = forms.CharField(widget=forms.HiddenInput, max_length=32)
    caseworker = forms.ModelChoiceField(
        label=_("Caseworker"),
        queryset=User.objects.none(),
        to_field_name="username",
        empty_label=None,
        error_messages={"invalid_choice": _("Choose an active caseworker.")},
    )

    def __init__(self, *args, caseworkers=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = (
            caseworkers
            if caseworkers is not None
            else User.objects.filter(is_active=True, groups__name=Role.CASEWORKER.value).order_by("username")
        )

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        if not REFERENCE_PATTERN.fullmatch(reference):
            raise forms.ValidationError(_("There is no case with that reference."))
        return reference


class DonorReportForm(forms.Form):
    """A period; dates are not personal, so the form travels in the URL (GET).

    Both dates lie between EARLIEST_REPORT_DATE and the end of next year: Passage holds nothing
    outside them, and a date near the end of the calendar cannot have a day added to it."""

    date_from = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.latest = datetime.date(timezone.localdate().year + 1, 12, 31)
        for field in self.fields.values():  # the browser's date picker offers the same bounds
            field.widget.attrs.update(min=EARLIEST_REPORT_DATE.isoformat(), max=self.latest.isoformat())

    def clean_date_from(self) -> datetime.date:
        return self._within_bounds(self.cleaned_data["date_from"])

    def clean_date_to(self) -> datetime.date:
        return self._within_bounds(self.cleaned_data["date_to"])

    def _within_bounds(self, day: datetime.date) -> datetime.date:
        if not EARLIEST_REPORT_DATE <= day <= self.latest:
            raise forms.ValidationError(
                _("Choose a date from %(earliest)s to %(latest)s."),
                params={"earliest": EARLIEST_REPORT_DATE.isoformat(), "latest": self.latest.isoformat()},
            )
        return day

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The period ends after it starts."))
            elif (end - start).days > LONGEST_REPORT_DAYS:
                self.add_error("date_to", _("A report covers at most five years."))
        return cleaned

    @staticmethod
    def default_period(today: datetime.date) -> dict[str, datetime.date]:
        return {"date_from": today.replace(month=1, day=1), "date_to": today}
