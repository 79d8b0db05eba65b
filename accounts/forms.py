from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from core.forms import GuardedForm


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits shown in your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 8}
        ),
        help_text=_("Six digits. A new code appears every 30 seconds."),
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip()


class RecoveryCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Recovery code"),
        regex=r"^[\sA-Za-z0-9-]{10,20}$",
        error_messages={"invalid": _("Enter one of your recovery codes, e.g. ABCDE-FGHJK.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("Ten letters and digits, from the list you saved. Each code works once."),
    )


class AcceptInvitationForm(GuardedForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not a common password."),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            from accounts.models import User

            try:
                password_validation.validate_password(
                    first, User(email=self.email, full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
