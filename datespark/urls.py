from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from coaching.views import accounts

urlpatterns = [
    # Staff log in like everyone else: one cookie, one login page.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/logout/", accounts.logout_view),
    path("admin/", admin.site.urls),
    path("", include("coaching.urls")),
]

handler400 = "coaching.handlers.bad_request"
handler403 = "coaching.handlers.permission_denied"
handler404 = "coaching.handlers.page_not_found"
handler500 = "coaching.handlers.server_error"
