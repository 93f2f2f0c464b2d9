"""The project's routes: health probes, the API under /api/, the pages, and the admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from coaching.pages import accounts
from datespark.http import health
from datespark.http.metrics import metrics_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Per instance, with the metrics bearer token; nginx denies it at the edge.
    path("metrics", metrics_view, name="metrics"),
    path("api/", include("coaching.api.urls")),
    # Staff log in like everyone else: one cookie, one login page.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/logout/", accounts.logout_view),
    path("admin/", admin.site.urls),
    path("", include("coaching.urls")),
]

handler400 = "datespark.http.error_views.bad_request"
handler403 = "datespark.http.error_views.permission_denied"
handler404 = "datespark.http.error_views.page_not_found"
handler500 = "datespark.http.error_views.server_error"
