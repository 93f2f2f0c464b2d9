"""The coach actions' forms and "Voortgang wissen": the shapes of the inputs only; the rules live in
coaching/coach/ and the services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from coaching import catalog
from coaching.coach import chat, date, foto, gesprek, profiel
from coaching.coach.common import ChecklistItem

# --- coach tools -----------------------------------------------------------------


def checklist_field(items: tuple[ChecklistItem, ...]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Vink af wat je gedaan hebt",
        choices=[(item.key, item.label) for item in items],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def interests_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=200, help_text="Gescheiden door komma's, bijvoorbeeld: koken, reizen"
    )


def split_terms(text: str) -> list[str]:
    return [term.strip() for term in text.split(",") if term.strip()]


class BioGenerateForm(forms.Form):
    name = forms.CharField(label="Voornaam", max_length=profiel.MAX_NAME_CHARS)
    age = forms.IntegerField(label="Leeftijd", min_value=profiel.MIN_AGE, max_value=profiel.MAX_AGE)
    interests = interests_field("Interesses")
    tone = forms.ChoiceField(label="Toon", choices=list(profiel.TONES.items()))


class BioAnalyzeForm(forms.Form):
    text = forms.CharField(
        label="Plak je bio", max_length=profiel.MAX_ANALYZE_CHARS, widget=forms.Textarea(attrs={"rows": 5})
    )


class ProfileChecklistForm(forms.Form):
    ticked = checklist_field(profiel.PROFILE_CHECKLIST)


class PhotoUploadForm(forms.Form):
    photo = forms.FileField(
        label="Kies een foto",
        help_text=f"JPG, PNG of WebP, maximaal {foto.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class EmptyForm(forms.Form):
    """An action that is a single button (e.g. 'Bekijk de analyse')."""


class PhotoImprovedForm(forms.Form):
    ticked = checklist_field(foto.PHOTO_IMPROVEMENT_TIPS)


class FirstQuestionForm(forms.Form):
    interests = interests_field("Interesses van je match")


class FollowUpForm(forms.Form):
    message = forms.CharField(
        label="Plak het bericht van je match",
        max_length=chat.MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="We analyseren het bericht alleen; het wordt niet bewaard.",
    )


class PracticeForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, prompt in enumerate(chat.PRACTICE_PROMPTS, start=1):
            self.fields[f"reply_{index}"] = forms.CharField(
                label=f"Sam: “{prompt}”",
                max_length=chat.MAX_REPLY_CHARS,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def replies(self) -> list[str]:
        return [self.cleaned_data.get(f"reply_{index}", "") for index in range(1, len(chat.PRACTICE_PROMPTS) + 1)]


class OpenerForm(forms.Form):
    interest = forms.CharField(label="Iets uit het profiel van je match", max_length=60)
    style = forms.ChoiceField(label="Stijl", choices=list(gesprek.OPENER_STYLES.items()))
    variant = forms.IntegerField(min_value=0, max_value=10_000, initial=0, required=False, widget=forms.HiddenInput)


class PlatformForm(forms.Form):
    platform = forms.ChoiceField(
        label="Welke app gebruik je?", choices=[(p.slug, p.label) for p in gesprek.PLATFORMS], widget=forms.RadioSelect
    )


class SafetyForm(forms.Form):
    ticked = checklist_field(gesprek.SAFETY_CHECKLIST)


class DateIdeaForm(forms.Form):
    budget = forms.ChoiceField(label="Budget", choices=list(date.BUDGETS.items()))
    setting = forms.ChoiceField(label="Binnen of buiten", choices=list(date.VENUES.items()))
    interest = forms.CharField(label="Gedeelde interesse (optioneel)", max_length=60, required=False)
    variant = forms.IntegerField(min_value=0, max_value=10_000, initial=0, required=False, widget=forms.HiddenInput)


class DatePlanForm(forms.Form):
    when = forms.DateTimeField(
        label="Wanneer",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label="Waar", max_length=120)


class PreDateChecklistForm(forms.Form):
    ticked = checklist_field(date.PRE_DATE_CHECKLIST)


# --- progress and account data ----------------------------------------------------

RESET_ALL = "alles"


class ResetForm(forms.Form):
    """Wipe a tool's progress: all of it or one action. The checkbox is the explicit confirmation."""

    scope = forms.ChoiceField(
        label="Wat wil je wissen?",
        widget=forms.RadioSelect,
        error_messages={"required": "Kies wat je wilt wissen.", "invalid_choice": "Kies een van de opties."},
    )
    confirm = forms.BooleanField(
        label="Ja, wis dit. Ik begrijp dat het niet ongedaan kan worden.",
        error_messages={"required": "Vink aan dat je dit echt wilt wissen."},
    )

    def __init__(self, *args: Any, tool: catalog.Tool, offered: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tool = tool
        self.fields["scope"].initial = RESET_ALL
        self.offer(offered)

    def offer(self, action_names: Iterable[str]) -> None:
        """The choices: the whole tool, then the given actions in catalog order."""
        wanted = set(action_names)
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (RESET_ALL, f"Alles van {self.tool.label}"),
            *((action.name, action.label) for action in self.tool.actions if action.name in wanted),
        ]

    @property
    def action_name(self) -> str | None:
        """The chosen action, or None for the whole tool (call after is_valid)."""
        scope: str = self.cleaned_data["scope"]
        return None if scope == RESET_ALL else scope
