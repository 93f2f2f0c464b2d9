from django.contrib.auth import views as auth_views
from django.urls import path, re_path, reverse_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from coaching import api, health
from coaching.views import accounts, dashboard, data

router = SimpleRouter(trailing_slash=False)
router.register("api/tool-completion", api.ToolCompletionViewSet, basename="tool-completion")
router.register("api/auth", api.CredentialsViewSet, basename="auth-credentials")
router.register("api/auth", api.SessionViewSet, basename="auth-session")
router.register("api/admin", api.AdminViewSet, basename="admin-api")
router.register("api/me", api.MeViewSet, basename="me")

# Flat lists (no include()), busiest first: Django tries every pattern in order
# on every request, and each include() level adds a resolver of its own. The
# hot API routes cost ~110,000 CPU instructions a request less this way
# (docs/PERFORMANCE.md). /healthz stays first: it is the benchmark's floor.
api_urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    *router.urls,
    # simplejwt's usual spelling has the trailing slash; take it either way.
    re_path(r"^api/auth/token/?$", api.TokenViewSet.as_view({"post": "obtain"}), name="token-obtain"),
    re_path(r"^api/auth/token/refresh/?$", api.TokenViewSet.as_view({"post": "refresh"}), name="token-refresh"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
]

page_urlpatterns = [
    path("docs/api/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", dashboard.dashboard, name="dashboard"),
    path("tools/<slug:tool_name>/", dashboard.dashboard, name="tool"),
    # Before tool-action, which would otherwise take "wissen" for an (unknown) action name.
    path("tools/<slug:tool_name>/wissen/", dashboard.tool_reset, name="tool-reset"),
    path("tools/<slug:tool_name>/<slug:action_name>/", dashboard.tool_action, name="tool-action"),
    path("foto/<uuid:photo_id>.jpg", dashboard.photo_file, name="photo-file"),
    path("mijn-gegevens/", data.my_data, name="my-data"),
    path("mijn-gegevens/tijdzone/", data.timezone_update, name="my-data-timezone"),
    path("mijn-gegevens/export/", data.export, name="my-data-export"),
    path("mijn-gegevens/verwijderen/", data.account_delete, name="my-data-delete"),
    path("inloggen/", accounts.login_view, name="login"),
    path("account-maken/", accounts.signup_view, name="signup"),
    path("uitloggen/", accounts.logout_view, name="logout"),
    path("wachtwoord/", accounts.password_change_view, name="password_change"),
    path(
        "wachtwoord-vergeten/",
        auth_views.PasswordResetView.as_view(success_url=reverse_lazy("password_reset_done")),
        name="password_reset",
    ),
    path("wachtwoord-vergeten/verstuurd/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "wachtwoord-herstellen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord-herstellen/klaar/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
]

urlpatterns = api_urlpatterns + page_urlpatterns
