"""The pages' routes (Dutch paths); the API's are in coaching/api/urls.py."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from drf_spectacular.views import SpectacularSwaggerSplitView

from coaching.pages import accounts, dashboard, my_data

urlpatterns = [
    path("docs/api/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", dashboard.dashboard, name="dashboard"),
    path("tools/<slug:tool_name>/", dashboard.dashboard, name="tool"),
    # Before tool-action, which would otherwise take "wissen" for an (unknown) action name.
    path("tools/<slug:tool_name>/wissen/", dashboard.tool_reset, name="tool-reset"),
    path("tools/<slug:tool_name>/<slug:action_name>/", dashboard.tool_action, name="tool-action"),
    path("foto/<uuid:photo_id>.jpg", dashboard.photo_file, name="photo-file"),
    path("mijn-gegevens/", my_data.my_data, name="my-data"),
    path("mijn-gegevens/tijdzone/", my_data.timezone_update, name="my-data-timezone"),
    path("mijn-gegevens/export/", my_data.export, name="my-data-export"),
    path("mijn-gegevens/verwijderen/", my_data.account_delete, name="my-data-delete"),
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
