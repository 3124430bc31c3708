"""Forms of the sign-in: password, then a code from the authenticator or a recovery code."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a username no account can have before any password is tried.

    AuthenticationForm gives the username field a max_length without a validator, so a longer
    name went on to django-axes, whose record of attempts holds 255 characters: a database error.
    Such a name is refused exactly like a wrong password, and not counted towards a lock: no
    account has it and no password was tried, so there is nothing for the lock to protect.
    """

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        if username is not None and len(username) > self.username_field.max_length:
            raise self.get_invalid_login_error()
        return super().clean()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("The six digits your authenticator app shows now, or one of your recovery codes."),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=6,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("The code is six digits."))
        return code


class EndMySessionsForm(forms.Form):
    forget_authenticator = forms.BooleanField(
        label=_("My phone is lost or stolen: also remove my authenticator app"),
        required=False,
        help_text=_(
            "You will sign in next time with one of your recovery codes and set up a new authenticator. "
            "Keep a recovery code at hand before you do this."
        ),
    )


class EndUserSessionsForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=None, to_field_name="username")

    def __init__(self, *args, **kwargs) -> None:
        from accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("username")


class LockdownForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type LOCKDOWN to end every session of every user"),
        max_length=20,
    )

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip() != "LOCKDOWN":
            raise forms.ValidationError(_("Type the word LOCKDOWN in capitals to confirm."))
        return "LOCKDOWN"
