from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, or None for a GET: an empty POST is still a submission to validate."""
    return request.POST if request.method == "POST" else None
