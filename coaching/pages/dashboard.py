"""The coach dashboard: one ARIA tab per catalog tool, each with its three action cards and progress bars."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from coaching import catalog
from coaching.coach.photos import STORAGE_ERRORS, photo_get, photo_latest
from coaching.completions import selectors, services
from coaching.completions.selectors import Progress, ToolProgress
from coaching.exceptions import DomainError
from coaching.pages.access import page_login_required, request_user_id
from coaching.pages.actions import ACTIONS, Outcome
from coaching.pages.activity import activity_strip
from coaching.pages.form_errors import form_error_add
from coaching.pages.forms import ResetForm
from coaching.pages.htmx import vary_on_htmx, wants_partial

TEMPLATE = "coaching/dashboard.html"


@dataclass(frozen=True)
class Card:
    tool: catalog.Tool
    action: catalog.Action
    form: django_forms.Form
    outcome: Outcome | None
    done: bool

    @property
    def template(self) -> str:
        return f"coaching/cards/{self.action.name}.html"

    @property
    def dom_id(self) -> str:
        return f"{self.tool.name}-{self.action.name}"


@dataclass(frozen=True)
class Tab:
    tool: catalog.Tool
    progress: ToolProgress
    selected: bool


def _auto_id(action_name: str) -> str:
    # Unique element ids per card: several forms share field names on one page.
    return f"id_{action_name}_%s"


RESET_AUTO_ID = "id_reset_%s"


def _done_in(progress: Progress, tool: catalog.Tool) -> list[str]:
    return next(p.actions_completed for p in progress.tools if p.tool_name == tool.name)


def _reset_message(removed: int) -> str:
    if not removed:
        return "Er was niets meer om te wissen."
    return f"{removed} {'actie' if removed == 1 else 'acties'} gewist."


def _tool_or_404(tool_name: str) -> catalog.Tool:
    tool = catalog.get_tool(tool_name)
    if tool is None:
        raise Http404("Onbekende tool.")
    return tool


def _context(
    request: HttpRequest,
    tool: catalog.Tool,
    progress: Progress,
    bound: tuple[str, django_forms.Form, Outcome | None] | None = None,
    reset_form: ResetForm | None = None,
) -> dict[str, Any]:
    tool_progress = next(p for p in progress.tools if p.tool_name == tool.name)
    done = set(tool_progress.actions_completed)
    cards = []
    for action in tool.actions:
        if bound is not None and bound[0] == action.name:
            form, outcome = bound[1], bound[2]
        else:
            form, outcome = (
                ACTIONS[(tool.name, action.name)].form_class(auto_id=_auto_id(action.name), label_suffix=""),
                None,
            )
        cards.append(Card(tool, action, form, outcome, action.name in done))
    if reset_form is None:
        reset_form = ResetForm(tool=tool, offered=done, auto_id=RESET_AUTO_ID, label_suffix="")
    user_id = request_user_id(request)
    return {
        "tool": tool,
        "tool_progress": tool_progress,
        "tabs": [Tab(t, p, t.name == tool.name) for t, p in zip(catalog.TOOLS, progress.tools, strict=True)],
        "overall": progress.overall,
        "cards": cards,
        "photo": photo_latest(user_id=user_id) if tool.name == "foto-advies" else None,
        "legacy_keys": sorted(catalog.LEGACY_KEYS),
        "reset_form": reset_form,
    }


@require_GET
@never_cache
@page_login_required
def dashboard(request: HttpRequest, tool_name: str | None = None) -> HttpResponse:
    tool = _tool_or_404(tool_name) if tool_name else catalog.TOOLS[0]
    user_id = request_user_id(request)
    progress = selectors.progress_get(user_id=user_id)
    context = _context(request, tool, progress)
    if wants_partial(request):
        return vary_on_htmx(render(request, "coaching/_coach_swap.html", context))
    context["activity"] = activity_strip(user_id=user_id)
    return vary_on_htmx(render(request, TEMPLATE, context))


@require_POST
@never_cache
@page_login_required
def tool_action(request: HttpRequest, tool_name: str, action_name: str) -> HttpResponse:
    tool = _tool_or_404(tool_name)
    spec = ACTIONS.get((tool.name, action_name))
    if spec is None:
        raise Http404("Onbekende actie.")
    user_id = request_user_id(request)
    form = spec.form_class(request.POST, request.FILES, auto_id=_auto_id(action_name), label_suffix="")
    outcome: Outcome | None = None
    status = 400
    if form.is_valid():
        try:
            outcome = spec.handle(request, form)
        except DomainError as exc:  # our storage, not the user's input
            status = form_error_add(form, exc)
        except ValueError as exc:  # the tool refused the input; nothing is recorded
            form.add_error(None, str(exc))
    if outcome is not None and outcome.completed:
        services.completion_mark(
            user_id=user_id, tool_name=tool.name, action_name=action_name, metadata=outcome.metadata
        )
    progress = selectors.progress_get(user_id=user_id)
    context = _context(request, tool, progress, bound=(action_name, form, outcome))
    if outcome is not None:
        status = 200
    if wants_partial(request):
        context["card"] = next(card for card in context["cards"] if card.action.name == action_name)
        if outcome is not None and outcome.completed:  # only a completion moves the strip
            context["activity"] = activity_strip(user_id=user_id)
        return vary_on_htmx(render(request, "coaching/_action_response.html", context, status=status))
    context["activity"] = activity_strip(user_id=user_id)
    return vary_on_htmx(render(request, TEMPLATE, context, status=status))


@require_POST
@never_cache
@page_login_required
def tool_reset(request: HttpRequest, tool_name: str) -> HttpResponse:
    """Voortgang wissen: the whole tool or one action, once the confirmation box is ticked.

    Any action of the tool is accepted, so a choice made stale by another
    device removes nothing instead of failing; the form offers only what is done.
    """
    tool = _tool_or_404(tool_name)
    user_id = request_user_id(request)
    form = ResetForm(request.POST, tool=tool, offered=tool.action_names, auto_id=RESET_AUTO_ID, label_suffix="")
    partial = wants_partial(request)
    if form.is_valid():
        result = services.completion_reset(user_id=user_id, tool_name=tool.name, action_name=form.action_name)
        message = _reset_message(result.removed)
        if not partial:  # Post/Redirect/Get: a reload does not post again
            messages.success(request, message)
            return vary_on_htmx(redirect("tool", tool.name))
        context = _context(request, tool, result.everything)
        context["reset_message"] = message
        return vary_on_htmx(render(request, "coaching/_reset_response.html", context))
    progress = selectors.progress_get(user_id=user_id)
    form.offer(_done_in(progress, tool))
    context = _context(request, tool, progress, reset_form=form)
    if partial:
        return vary_on_htmx(render(request, "coaching/_reset_response.html", context, status=400))
    context["activity"] = activity_strip(user_id=user_id)
    return vary_on_htmx(render(request, TEMPLATE, context, status=400))


@require_GET
@page_login_required
def photo_file(request: HttpRequest, photo_id: uuid.UUID) -> HttpResponseBase:
    """A user's own photo; anyone else's is a 404, as if it did not exist."""
    photo = photo_get(user_id=request_user_id(request), photo_id=photo_id)
    if photo is None:
        raise Http404("Foto niet gevonden.")
    try:
        handle = photo.image.open("rb")
    except STORAGE_ERRORS:  # the store is away: the server's trouble, not a missing photo
        return HttpResponse(
            "Je foto is even niet bereikbaar. Probeer het zo opnieuw.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response
