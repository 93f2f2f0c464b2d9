from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from coaching import api, health

router = SimpleRouter(trailing_slash=False)
router.register("api/tool-completion", api.ToolCompletionViewSet, basename="tool-completion")
router.register("api/auth", api.CredentialsViewSet, basename="auth-credentials")
router.register("api/auth", api.SessionViewSet, basename="auth-session")
router.register("api/admin", api.AdminViewSet, basename="admin-api")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # simplejwt's usual spelling has the trailing slash; take it either way.
    re_path(r"^api/auth/token/?$", api.TokenViewSet.as_view({"post": "obtain"}), name="token-obtain"),
    re_path(r"^api/auth/token/refresh/?$", api.TokenViewSet.as_view({"post": "refresh"}), name="token-refresh"),
    path("", include(router.urls)),
]
