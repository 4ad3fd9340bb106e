from django.http import HttpRequest, QueryDict

from promises.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is a real `User`, for the type checker."""

    user: User


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, or None for a GET: an empty POST is still a submission to validate."""
    return request.POST if request.method == "POST" else None
