"""Forms of emergency access."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why must you read this case's personal data now?"),
        min_length=20,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The case's caseworkers will see this reason, and it is kept in the access log. "
            "Explain the need; do not copy anything from the case."
        ),
    )


class EraseForm(forms.Form):
    confirm = forms.CharField(label=_("Type the reference to confirm"), max_length=32)

    def __init__(self, *args, reference: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reference = reference

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip() != self.reference:
            raise forms.ValidationError(_("The reference does not match."))
        return self.reference
