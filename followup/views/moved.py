"""The public addresses from before every page lived under its municipality (`/2022/`,
`/oppna-data/`, `/flode/`, …). Links to them in news stories, partner sites and feed readers
keep working: each redirects to the same page under the municipality.

Which municipality: the installation's own (PUBLIC_DEFAULT_MUNICIPALITY), for good (301); else
the only one with a public promise, for now (302: a second one may come); else the national
index, where the reader picks theirs.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from promises.models import Municipality, Promise


def _municipality() -> tuple[str, bool] | None:
    """The slug old addresses mean, and whether for good."""
    own = settings.PUBLIC_DEFAULT_MUNICIPALITY
    if own and Municipality.objects.filter(slug=own).exists():
        return own, True
    # No ordering: Promise's own (by year) would make each year a distinct row.
    slugs = list(Promise.objects.public().order_by().values_list("municipality__slug", flat=True).distinct()[:2])
    if len(slugs) == 1:
        return slugs[0], False
    return None


def moved(name: str, *, otherwise: str = "public:index"):
    """A view redirecting an old address to the page `name` under the municipality, with the
    old address's arguments after the municipality and its query string kept; to `otherwise`
    where no one municipality is meant."""

    @require_safe
    def view(request: HttpRequest, **kwargs) -> HttpResponseBase:
        found = _municipality()
        if found is None:
            return HttpResponseRedirect(reverse(otherwise))
        slug, for_good = found
        url = reverse(name, kwargs={"municipality": slug, **kwargs})
        if request.META.get("QUERY_STRING"):
            url += "?" + request.META["QUERY_STRING"]
        return HttpResponsePermanentRedirect(url) if for_good else HttpResponseRedirect(url)

    return view
