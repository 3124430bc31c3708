"""The filter of the access-log page: who, which case, which days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATE_FORMAT = "%Y-%m-%d"
DATE_ERRORS = {"invalid": _("Enter a date as YYYY-MM-DD, for example 2026-03-31.")}


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False, max_length=150, strip=True)
    case_reference = forms.CharField(
        label=_("Case reference"),
        required=False,
        max_length=32,
        strip=True,
        help_text=_("Exactly as written, for example EV-2026-0042."),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=[DATE_FORMAT],
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(format=DATE_FORMAT, attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("Until (inclusive)"),
        required=False,
        input_formats=[DATE_FORMAT],
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(format=DATE_FORMAT, attrs={"type": "date"}),
    )

    def clean_date_to(self) -> date | None:
        date_to = self.cleaned_data.get("date_to")
        date_from = self.cleaned_data.get("date_from")
        if date_to and date_from and date_to < date_from:
            raise forms.ValidationError(_("The end date is before the start date."))
        return date_to

    def since(self) -> datetime | None:
        """The start of the first day chosen, in the site's time zone (after is_valid)."""
        return _start_of(self.cleaned_data.get("date_from"))

    def until(self) -> datetime | None:
        """The start of the day after the last day chosen: the end is inclusive (after is_valid)."""
        date_to = self.cleaned_data.get("date_to")
        if date_to is None or date_to == date.max:  # the last day there is: no end at all
            return None
        return _start_of(date_to + timedelta(days=1))


def _start_of(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))
