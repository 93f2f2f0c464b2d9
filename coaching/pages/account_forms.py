"""The login and sign-up forms: the shapes of the inputs; the rules live in coaching/accounts/services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html


class LoginForm(forms.Form):
    username = forms.CharField(label="Gebruikersnaam", max_length=150)
    password = forms.CharField(label="Wachtwoord", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class SignupForm(forms.Form):
    username = forms.CharField(
        label="Gebruikersnaam", max_length=150, help_text="Letters, cijfers en @/./+/-/_, maximaal 150 tekens."
    )
    email = forms.EmailField(
        label="E-mailadres", required=False, help_text="Optioneel; nodig om je wachtwoord te herstellen."
    )
    password1 = forms.CharField(
        label="Wachtwoord", strip=False, widget=forms.PasswordInput, help_text=password_validators_help_text_html()
    )
    password2 = forms.CharField(label="Wachtwoord (nogmaals)", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["password1"].widget.attrs.update(autocomplete="new-password")
        self.fields["password2"].widget.attrs.update(autocomplete="new-password")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "De twee wachtwoorden zijn niet gelijk.")
        return cleaned
