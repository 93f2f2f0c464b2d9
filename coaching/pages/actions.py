"""The fifteen coach actions: form → offline tool logic (coaching/coach/) → completion.

Each handler turns a valid form into an :class:`Outcome`. It raises
``ValueError`` with a Dutch message for input the tool refuses; that becomes a
form error, and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.http import HttpRequest
from django.utils import timezone

from coaching.coach import chat, date, foto, gesprek, profiel
from coaching.coach.common import ChecklistItem, checklist_complete
from coaching.coach.photos import photo_latest, photo_read, photo_store
from coaching.pages import forms
from coaching.pages.access import request_user_id


@dataclass(frozen=True)
class Outcome:
    completed: bool
    metadata: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    message: str = ""


Handler = Callable[[HttpRequest, Any], Outcome]


@dataclass(frozen=True)
class ActionSpec:
    form_class: type[django_forms.Form]
    handle: Handler


def _checklist(items: tuple[ChecklistItem, ...], done_message: str) -> Handler:
    def handle(request: HttpRequest, form: Any) -> Outcome:
        ticked = set(form.cleaned_data["ticked"])
        if checklist_complete(checklist=items, ticked=ticked):
            return Outcome(True, {"items": len(items)}, message=done_message)
        missing = [item.label for item in items if item.key not in ticked]
        return Outcome(False, result={"missing": missing}, message="Nog niet alles afgevinkt.")

    return handle


# --- Profiel Coach -----------------------------------------------------------------


def bio_generate(request: HttpRequest, form: forms.BioGenerateForm) -> Outcome:
    data = form.cleaned_data
    bio = profiel.bio_generate(
        name=data["name"], age=data["age"], interests=forms.split_terms(data["interests"]), tone=data["tone"]
    )
    return Outcome(True, {"tone": data["tone"], "bioLength": len(bio)}, {"bio": bio})


def bio_analyze(request: HttpRequest, form: forms.BioAnalyzeForm) -> Outcome:
    analysis = profiel.bio_analyze(text=form.cleaned_data["text"])
    return Outcome(True, {"bioLength": analysis.length, "score": analysis.score}, {"analysis": analysis})


# --- Foto Advies -------------------------------------------------------------------


def photo_upload(request: HttpRequest, form: forms.PhotoUploadForm) -> Outcome:
    upload = form.cleaned_data["photo"]
    if upload.size > foto.MAX_UPLOAD_BYTES:
        raise foto.PhotoRejected(f"De foto is groter dan {foto.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    processed = foto.photo_process(data=upload.read())
    photo = photo_store(
        user_id=request_user_id(request), content=processed.content, width=processed.width, height=processed.height
    )
    return Outcome(True, {"width": photo.width, "height": photo.height}, {"photo": photo})


def analysis_view(request: HttpRequest, form: forms.EmptyForm) -> Outcome:
    photo = photo_latest(user_id=request_user_id(request))
    if photo is None:
        raise ValueError("Upload eerst een foto; daarna kun je de analyse bekijken.")
    analysis = foto.photo_analyze(content=photo_read(photo))
    metadata = {"brightness": analysis.brightness, "sharpness": round(analysis.sharpness, 1)}
    return Outcome(True, metadata, {"analysis": analysis, "photo": photo})


# --- Chat Coach --------------------------------------------------------------------


def first_question(request: HttpRequest, form: forms.FirstQuestionForm) -> Outcome:
    interests = forms.split_terms(form.cleaned_data["interests"])
    questions = chat.first_questions(interests=interests)
    return Outcome(True, {"interests": len(interests)}, {"questions": questions})


def conversation_continue(request: HttpRequest, form: forms.FollowUpForm) -> Outcome:
    # The pasted message is analysed here and never stored: only counts go in the metadata.
    advice = chat.follow_ups(message=form.cleaned_data["message"])
    return Outcome(True, {"wordCount": advice.word_count, "hasQuestion": advice.has_question}, {"advice": advice})


def practice(request: HttpRequest, form: forms.PracticeForm) -> Outcome:
    feedback = chat.practice_feedback(replies=form.replies())
    message = "Goed gedaan!" if feedback.passed else "Nog niet helemaal: probeer het nog eens."
    return Outcome(feedback.passed, {"score": feedback.score}, {"feedback": feedback}, message)


# --- Gesprek Starter -----------------------------------------------------------------


def opener(request: HttpRequest, form: forms.OpenerForm) -> Outcome:
    data = form.cleaned_data
    variant = data.get("variant") or 0
    line = gesprek.opener_generate(interest=data["interest"], style=data["style"], variant=variant)
    return Outcome(True, {"style": data["style"]}, {"opener": line, "next_variant": variant + 1})


def platform(request: HttpRequest, form: forms.PlatformForm) -> Outcome:
    chosen = gesprek.platform_get(slug=form.cleaned_data["platform"])
    return Outcome(True, {"platform": chosen.slug}, {"platform": chosen})


# --- Date Planner ----------------------------------------------------------------------


def idea(request: HttpRequest, form: forms.DateIdeaForm) -> Outcome:
    data = form.cleaned_data
    variant = data.get("variant") or 0
    found = date.date_idea(budget=data["budget"], setting=data["setting"], interest=data["interest"], variant=variant)
    return Outcome(
        True, {"budget": found.budget, "setting": found.setting}, {"idea": found, "next_variant": variant + 1}
    )


def plan(request: HttpRequest, form: forms.DatePlanForm) -> Outcome:
    now = timezone.now()
    when = form.cleaned_data["when"]  # aware, in the current (Dutch) time zone
    planned = date.date_plan(when=when, place=form.cleaned_data["place"], now=now)
    days_ahead = (timezone.localdate(when) - timezone.localdate(now)).days
    return Outcome(True, {"daysAhead": days_ahead}, {"plan": planned})


ACTIONS: dict[tuple[str, str], ActionSpec] = {
    ("profiel-coach", "bio_generated"): ActionSpec(forms.BioGenerateForm, bio_generate),
    ("profiel-coach", "bio_analyzed"): ActionSpec(forms.BioAnalyzeForm, bio_analyze),
    ("profiel-coach", "profile_completed"): ActionSpec(
        forms.ProfileChecklistForm, _checklist(profiel.PROFILE_CHECKLIST, "Je profiel is compleet!")
    ),
    ("foto-advies", "photo_uploaded"): ActionSpec(forms.PhotoUploadForm, photo_upload),
    ("foto-advies", "analysis_viewed"): ActionSpec(forms.EmptyForm, analysis_view),
    ("foto-advies", "photo_improved"): ActionSpec(
        forms.PhotoImprovedForm, _checklist(foto.PHOTO_IMPROVEMENT_TIPS, "Top, je foto's zijn verbeterd!")
    ),
    ("chat-coach", "first_question"): ActionSpec(forms.FirstQuestionForm, first_question),
    ("chat-coach", "conversation_continued"): ActionSpec(forms.FollowUpForm, conversation_continue),
    ("chat-coach", "practice_completed"): ActionSpec(forms.PracticeForm, practice),
    ("gesprek-starter", "opener_generated"): ActionSpec(forms.OpenerForm, opener),
    ("gesprek-starter", "platform_selected"): ActionSpec(forms.PlatformForm, platform),
    ("gesprek-starter", "safety_reviewed"): ActionSpec(
        forms.SafetyForm, _checklist(gesprek.SAFETY_CHECKLIST, "Veilig op pad. Veel plezier!")
    ),
    ("date-planner", "idea_generated"): ActionSpec(forms.DateIdeaForm, idea),
    ("date-planner", "date_planned"): ActionSpec(forms.DatePlanForm, plan),
    ("date-planner", "checklist_completed"): ActionSpec(
        forms.PreDateChecklistForm, _checklist(date.PRE_DATE_CHECKLIST, "Je bent er helemaal klaar voor!")
    ),
}
