from django.conf import settings
from django.http import HttpRequest


def public(request: HttpRequest) -> dict:
    """The installation's own municipality, if it has one (PUBLIC_DEFAULT_MUNICIPALITY): the
    footer's open data and feed are its, on pages that belong to no municipality."""
    return {"public_default_municipality": settings.PUBLIC_DEFAULT_MUNICIPALITY}
