"""The one place the pages turn a domain error into a form error (in Dutch) and a status."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.http import HttpResponse

from coaching.accounts.exceptions import InvalidCredentials, RateLimited, UsernameTaken
from coaching.coach.photos import PhotoUnreadable, StorageUnavailable
from coaching.exceptions import DomainError

# Where the service's own (English) message is not what a Dutch page should say.
DUTCH_MESSAGES: dict[type[DomainError], str] = {
    InvalidCredentials: "Gebruikersnaam of wachtwoord klopt niet.",
    UsernameTaken: "Deze gebruikersnaam is al in gebruik.",
    StorageUnavailable: "Je foto kon nu niet worden opgeslagen. Probeer het later opnieuw.",
    PhotoUnreadable: "Je foto is nu even niet bereikbaar. Probeer het zo opnieuw.",
}
STATUS: dict[type[DomainError], int] = {RateLimited: 429, StorageUnavailable: 503, PhotoUnreadable: 503}


def rate_limited_message(exc: RateLimited) -> str:
    minutes = max(1, round(exc.retry_after / 60))
    return f"Te veel pogingen. Probeer het over {minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw."


def form_error_add(
    form: forms.Form,
    error: DomainError,
    *,
    fields: Mapping[str, str | None] | None = None,
    message: str | None = None,
) -> int:
    """Put ``error`` on ``form`` and return the status to answer with.

    ``fields`` maps the service's field names to the form's (a field it does
    not name, or None, makes a form-wide error); ``message`` replaces the
    service's message for this page.
    """
    if isinstance(error, RateLimited):
        form.add_error(None, rate_limited_message(error))
    else:
        field = (fields or {}).get(error.field or "")
        form.add_error(field, message or DUTCH_MESSAGES.get(type(error), error.message))
    return STATUS.get(type(error), 400)


def retry_after_set(response: HttpResponse, error: DomainError | None) -> HttpResponse:
    """``Retry-After`` on a page answered 429."""
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response
