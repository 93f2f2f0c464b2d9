"""Error views: the contract's JSON shape under /api/, Django's pages elsewhere."""

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from datespark.http.errors import error_response
from datespark.http.middleware import is_api_path


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path_info):
        return error_response(400, "invalid_input", "Bad request.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path_info):
        return error_response(403, "permission_denied", "You are not allowed to do that.")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path_info):
        return error_response(404, "not_found", f"No endpoint at {request.path_info}.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path_info):
        return error_response(500, "server_error", "An unexpected error occurred; it has been logged.")
    return defaults.server_error(request)
