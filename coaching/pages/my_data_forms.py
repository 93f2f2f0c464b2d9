"""Mijn gegevens' forms: the timezone setting and the account deletion."""

from __future__ import annotations

from typing import Any

from django import forms

from coaching.timezones import timezone_names


class TimezoneForm(forms.Form):
    timezone = forms.ChoiceField(
        label="Tijdzone",
        help_text="Bepaalt op welke dag je acties meetellen voor je reeks.",
        error_messages={"invalid_choice": "Kies een tijdzone uit de lijst.", "required": "Kies een tijdzone."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["timezone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(name, name.replace("_", " ")) for name in sorted(timezone_names())]


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label="Je wachtwoord",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Vul je wachtwoord in."},
    )
    confirm = forms.BooleanField(
        label="Ik begrijp dat mijn account en al mijn gegevens definitief worden verwijderd.",
        error_messages={"required": "Vink aan dat je je account echt wilt verwijderen."},
    )
