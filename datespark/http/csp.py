"""The Content-Security-Policy: django-csp, with the two policies beside the strict default.

The strict policy itself is the ``CONTENT_SECURITY_POLICY`` setting. This
extends django-csp's middleware the way its documentation offers (override
``get_policy_parts``) for what a per-view decorator cannot reach: every JSON
answer (the API, the health probes, the API's error views) gets the strictest
policy, and the Django admin's and Swagger UI's own templates, which carry
inline styles, may use them.
"""

from __future__ import annotations

from csp.constants import NONE, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest
from django.http.response import HttpResponseBase

JSON_POLICY = {"default-src": [NONE], "frame-ancestors": [NONE]}
INLINE_STYLES = {"style-src": [UNSAFE_INLINE]}
INLINE_STYLE_PREFIXES = ("/admin/", "/docs/api/")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if response.get("Content-Type", "").startswith("application/json"):
            parts.config = JSON_POLICY
        elif request.path_info.startswith(INLINE_STYLE_PREFIXES):
            parts.update = INLINE_STYLES
        return parts
