"""Forms of the documents app: uploading a document, sharing a case, choosing cases and language for export."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from cases.models import Case, TravelPaper
from documents.content import CheckedFile, check_upload, too_large_message
from documents.models import Document

LANGUAGE_CHOICES = [("en", _("English")), ("ru", _("Russian"))]


class TravelPaperChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, paper: TravelPaper) -> str:
        return f"{paper.get_kind_display()} ({paper.get_status_display()})"


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, JPEG, PNG or HEIC, at most %(limit)s MB. Photos lose their location and camera data when stored."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("What it is, for the evidence index, e.g. “Medical report, city hospital, 2025”."),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=5000, widget=forms.Textarea)
    travel_paper = TravelPaperChoiceField(
        label=_("Travel paper it proves"), queryset=TravelPaper.objects.none(), required=False
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "limit": settings.PASSAGE_UPLOAD_MAX_BYTES // (1024 * 1024)
        }
        # Only this case's papers can be chosen: a forged id of another case's paper is "not a valid choice".
        self.fields["travel_paper"].queryset = TravelPaper.objects.filter(case=case).order_by("pk")
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.heic,.heif"

    def clean_file(self) -> CheckedFile:
        upload = self.cleaned_data["file"]
        if getattr(upload, "too_large", False):
            raise ValidationError(too_large_message(), code="too_large")
        return check_upload(upload.read())


class ShareForm(forms.Form):
    lawyer = forms.ModelChoiceField(label=_("Lawyer"), queryset=User.objects.none(), to_field_name="username")
    until = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The lawyer can read the case until the end of this day. Leave empty to share until you stop."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lawyer"].queryset = User.objects.filter(is_active=True, groups__name=Role.LAWYER.value).order_by(
            "last_name", "username"
        )
        self.fields["lawyer"].label_from_instance = lambda user: (
            f"{user.get_full_name()} ({user.username})" if user.get_full_name() else user.username
        )

    def clean_until(self) -> datetime.date | None:
        until = self.cleaned_data["until"]
        if until is not None and until < timezone.localdate():
            raise ValidationError(_("The end date cannot be in the past."))
        return until


class UnshareForm(forms.Form):
    lawyer = forms.CharField(max_length=150)


class SummaryForm(forms.Form):
    """The query of /cases/<reference>/summary.pdf: ?lang=en|ru&annex=1."""

    lang = forms.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    # Not a BooleanField: a checkbox reads "0" as ticked, and ?annex=0 must mean no annex.
    annex = forms.TypedChoiceField(
        choices=[("0", "0"), ("1", "1")], coerce=lambda value: value == "1", required=False, empty_value=False
    )


class ExportForm(forms.Form):
    cases = forms.MultipleChoiceField(label=_("Cases"), choices=[], error_messages={"required": _("Choose a case.")})
    lang = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="en")

    def __init__(self, *args, references: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(reference, reference) for reference in references]
