"""The API's routes, mounted under ``/api/`` by datespark/urls.py."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from coaching.api.accounts import CredentialsViewSet, SessionViewSet, TokenViewSet
from coaching.api.completions import ToolCompletionViewSet
from coaching.api.me import MeViewSet
from coaching.api.staff import AdminViewSet

router = SimpleRouter(trailing_slash=False)
router.register("tool-completion", ToolCompletionViewSet, basename="tool-completion")
router.register("auth", CredentialsViewSet, basename="auth-credentials")
router.register("auth", SessionViewSet, basename="auth-session")
router.register("admin", AdminViewSet, basename="admin-api")
router.register("me", MeViewSet, basename="me")

urlpatterns = [
    *router.urls,
    # simplejwt's usual spelling has the trailing slash; take it either way.
    re_path(r"^auth/token/?$", TokenViewSet.as_view({"post": "obtain"}), name="token-obtain"),
    re_path(r"^auth/token/refresh/?$", TokenViewSet.as_view({"post": "refresh"}), name="token-refresh"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
