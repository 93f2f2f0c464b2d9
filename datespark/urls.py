from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("coaching.urls")),
]

handler400 = "coaching.handlers.bad_request"
handler403 = "coaching.handlers.permission_denied"
handler404 = "coaching.handlers.page_not_found"
handler500 = "coaching.handlers.server_error"
