from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from coaching import urls as coaching_urls
from coaching.views import accounts

# One flat list, the app's routes first (coaching/urls.py says why); none of
# them starts with admin/.
urlpatterns = [
    *coaching_urls.urlpatterns,
    # Staff log in like everyone else: one cookie, one login page.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/logout/", accounts.logout_view),
    path("admin/", admin.site.urls),
]

handler400 = "coaching.handlers.bad_request"
handler403 = "coaching.handlers.permission_denied"
handler404 = "coaching.handlers.page_not_found"
handler500 = "coaching.handlers.server_error"
