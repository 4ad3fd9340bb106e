from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, QueryDict

from promises.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is a real `User`, for the type checker."""

    user: User


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, or None for a GET: an empty POST is still a submission to validate."""
    return request.POST if request.method == "POST" else None


class NotFound(Http404):
    """A 404 whose message is written for the user, so the 404 page shows it.

    Any other 404 (an unknown address, get_object_or_404) shows our own text only: Django's
    messages are English ("No Activity matches the given query.") and may name our models.
    """


class Forbidden(PermissionDenied):
    """A 403 whose message is written for the user, so the 403 page shows it."""
