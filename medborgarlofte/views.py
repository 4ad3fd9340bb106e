import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from medborgarlofte.http import Forbidden, NotFound

# Errors that mean the database cannot be reached right now, not that the code is wrong.
UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 with Retry-After when the database is down; rendered without the database."""
    exception = sys.exc_info()[1]
    if isinstance(exception, UNAVAILABLE):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.render_to_string("500.html"), status=500)


# 404 and 403: our own Swedish page whatever was raised; only the messages we wrote for the
# user (NotFound, Forbidden) are shown, never Django's ("Resolver404", "No Activity matches ...").


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = str(exception) if isinstance(exception, NotFound) else ""
    return HttpResponse(loader.render_to_string("404.html", {"message": message}, request), status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = str(exception) if isinstance(exception, Forbidden) else ""
    return HttpResponse(loader.render_to_string("403.html", {"message": message}, request), status=403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse(loader.render_to_string("400.html", {}, request), status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted from an expired or foreign page: say so in Swedish (Django's page is English)."""
    return HttpResponse(loader.render_to_string("403_csrf.html", {}, request), status=403)
