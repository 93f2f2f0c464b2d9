"""R1, the fixed yardstick: plain Django, one view, no middleware, no database.

``JsonResponse({"status": "ok"})`` from a one-pattern URLconf, served by
gunicorn with one sync worker per core and no access log (bench/yardsticks.py
starts it). It is not ours to tune: every endpoint's requests/s is reported
as a ratio to this, measured in the same round, so a faster machine or server
moves both sides.
"""

from __future__ import annotations

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="r1-plain-django-yardstick",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_TZ=True,
)
django.setup()


def ok(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("", ok)]

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings.configure)

application = get_wsgi_application()
