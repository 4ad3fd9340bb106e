"""The public pages: what was promised and the published follow-up. Anyone may read them.

They read publication snapshots only (through `followup.public`), never activities.
"""

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, cast

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from followup import report
from followup.models import Publication, Status, TertialNumber
from followup.national import counties, national_index, national_index_filtered
from followup.public import (
    SMALL_NUMBER_LIMIT,
    PublishedTertial,
    area_sections,
    earlier_years,
    feed_publications,
    public_area,
    public_areas,
    public_promises,
    published_tertials,
    section_chart,
    section_summary,
    section_targets,
    status_counts,
    tertial_words,
)
from followup.public_cache import public_cached
from medborgarlofte import exports
from medborgarlofte.cache import cache_get_or_compute
from medborgarlofte.http import NotFound
from promises.models import Area, Municipality, Promise
from promises.selectors import promise_current, promise_with_structure

# The national index's search box: longer is no municipality's name.
QUERY_LENGTH = 100


def _municipality_or_404(slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise NotFound(_("There is no municipality at this address."))
    return municipality


def _current_promise(slug: str) -> Promise | None:
    """The promise the municipality's pages lead with (None before its first)."""
    return promise_current(within=Promise.objects.filter(municipality__slug=slug))


def _current_promise_or_404(slug: str) -> Promise:
    """The municipality's current promise, else a 404 in words: a municipality without a
    public promise has no pages (no empty open data, no empty feed)."""
    promise = _current_promise(slug)
    if promise is None:
        municipality = _municipality_or_404(slug)
        raise NotFound(_("%(municipality)s has no citizen promise yet.") % {"municipality": municipality.name})
    return promise


def _public_context(promise: Promise) -> dict:
    tertials = published_tertials(promise=promise)
    latest = tertials[-1] if tertials else None
    sections = []
    if latest is not None:
        for index, section in enumerate(latest.sections):
            sections.append(
                {
                    **section,
                    "chart": section_chart(section),
                    "chart_id": f"chart-section-{index + 1}",
                    "summary": section_summary(section),
                    "status_counts": status_counts(section_targets([section])),
                }
            )
    return {
        "promise": promise,
        "tertials": tertials,
        "latest": latest,
        # A year that is over with no full-year follow-up (T3) published says so, rather than
        # reading as if it still ran ("so far this year"). The public cache's key holds the day.
        "year_unfinished": latest is not None and latest.tertial != 3 and promise.year < timezone.localdate().year,
        "sections": sections,
        "areas": public_areas(promise=promise, tertial=latest),
    }


@require_safe
@public_cached
def public_index(request: HttpRequest) -> HttpResponse:
    """`/`: one municipality's installation shows its page; the national one, the index."""
    if settings.PUBLIC_DEFAULT_MUNICIPALITY:
        return _municipality_page(request, settings.PUBLIC_DEFAULT_MUNICIPALITY, at_root=True)
    entries = national_index()
    query = request.GET.get("q", "")[:QUERY_LENGTH]
    county = request.GET.get("lan", "")
    county_names = counties(entries=entries)
    if county not in county_names:
        county = ""
    shown = national_index_filtered(entries=entries, query=query, county=county)
    context = {
        "entries": shown,
        "total": len(entries),
        "query": query,
        "county": county,
        "counties": county_names,
        "filtered": bool(query.strip() or county),
    }
    return render(request, "public/national_index.html", context)


@require_safe
@public_cached
def public_municipality(request: HttpRequest, municipality: str) -> HttpResponse:
    return _municipality_page(request, municipality)


def _municipality_page(request: HttpRequest, slug: str, at_root: bool = False) -> HttpResponse:
    promise = _current_promise(slug)
    if promise is None and at_root:
        # The installation's start page before its first promise: say so, not "not found".
        return render(request, "public/index.html", {"promise": None})
    if promise is None:
        promise = _current_promise_or_404(slug)  # raises: says which municipality has none
    municipality = promise.municipality
    # The national installation links back to its index of municipalities.
    context: dict[str, Any] = {"municipality": municipality, "national": not settings.PUBLIC_DEFAULT_MUNICIPALITY}
    context.update(_public_context(promise))
    if context["latest"] is None:
        # Nothing published yet: what was promised, without figures.
        context["promise"] = promise_with_structure(promise=promise)
    context["signatories"] = promise.signatories.select_related("organisation")
    context["parties"] = promise.parties.all()
    context["other_years"] = [p for p in public_promises(municipality=municipality) if p.pk != promise.pk]
    return render(request, "public/index.html", context)


@require_safe
@public_cached
def public_year(request: HttpRequest, municipality: str, year: int) -> HttpResponse:
    promise = _promise_or_404(municipality, year)
    context = _public_context(promise)
    context["municipality"] = promise.municipality
    context["earlier"] = earlier_years(promise=promise, tertial=context["latest"])
    # Every other year the public may see, published or not yet, so every earlier year is linked.
    context["other_years"] = list(
        Promise.objects.public().filter(municipality=promise.municipality).exclude(year=year).order_by("-year")
    )
    return render(request, "public/year.html", context)


@require_safe
@public_cached
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "public/accessibility.html")


def _promise_or_404(slug: str, year: int) -> Promise:
    """The municipality's promise of the year as the public may see it (published or not yet),
    else a 404 in words."""
    promise = Promise.objects.public().filter(municipality__slug=slug, year=year).first()
    if promise is None:
        municipality = _municipality_or_404(slug)
        raise NotFound(
            _("%(municipality)s has no citizen promise for %(year)s.")
            % {"municipality": municipality.name, "year": year}
        )
    return promise


def _area_or_404(promise: Promise, slug: str) -> Area:
    area = public_area(promise=promise, slug=slug)
    if area is None:
        raise NotFound(
            _("The citizen promise for %(year)s has no area called %(slug)s.") % {"year": promise.year, "slug": slug}
        )
    return area


def _area_context(municipality: str, year: int, slug: str) -> dict:
    promise = _promise_or_404(municipality, year)
    area = _area_or_404(promise, slug)
    tertials = published_tertials(promise=promise)
    latest = tertials[-1] if tertials else None
    sections = area_sections(tertial=latest, area=area) if latest else []
    targets = section_targets(sections)
    return {
        "municipality": promise.municipality,
        "promise": promise,
        "area": area,
        "latest": latest,
        "latest_words": latest.words if latest else "",
        "sections": sections,
        "status_counts": status_counts(targets),
        "other_areas": [a for a in public_areas(promise=promise, tertial=latest) if a.pk != area.pk],
    }


@require_safe
@public_cached
def public_area_page(request: HttpRequest, municipality: str, year: int, slug: str) -> HttpResponse:
    context = _area_context(municipality, year, slug)
    context["earlier"] = earlier_years(promise=context["promise"], tertial=context["latest"], area=context["area"])
    return render(request, "public/area.html", context)


def _published_tertial_or_404(promise: Promise, tertial: int) -> PublishedTertial:
    if tertial not in TertialNumber.values:
        raise NotFound(_("A year has tertials 1, 2 and 3."))
    published = next((t for t in published_tertials(promise=promise) if t.tertial == tertial), None)
    if published is None:
        raise NotFound(
            _("Tertial %(tertial)s of %(year)s has not been published.") % {"tertial": tertial, "year": promise.year}
        )
    return published


def _public_report(municipality: str, year: int, tertial: int) -> dict:
    """The public report of a published tertial: its latest version, as the public page shows it."""
    promise = _promise_or_404(municipality, year)
    published = _published_tertial_or_404(promise, tertial)
    return {
        "promise": promise,
        "parties": list(promise.parties.all()),
        "signatories": list(promise.signatories.all()),
        "period": tertial_words(published.tertial, promise.year),
        "as_of": date.fromisoformat(published.as_of),
        "final": published.final,
        "version": published.version,
        "published_at": published.published_at,
        "first_published_at": published.first_published_at,
        "corrections": published.corrections,
        "live_after_publication": False,
        "sections": report.report_sections(published.targets),
        "status_totals": report.status_totals(published.targets),
        "publication_key": f"{published.version}:{cast(datetime, published.published_at).isoformat()}",
    }


@require_safe
@public_cached
def public_report(request: HttpRequest, municipality: str, year: int, tertial: int) -> HttpResponse:
    data = _public_report(municipality, year, tertial)
    context = {
        "municipality": data["promise"].municipality,
        "report": data,
        "pdf_url": reverse("public:report_pdf", args=[municipality, year, tertial]),
    }
    return render(request, "public/report.html", context)


@require_safe
@public_cached
def public_report_pdf(request: HttpRequest, municipality: str, year: int, tertial: int) -> HttpResponse:
    data = _public_report(municipality, year, tertial)
    # One rendering per published version (its publication time) and language.
    key = f"public-report-pdf:{data['promise'].pk}:{tertial}:{data['publication_key']}:{get_language()}"
    content = cache_get_or_compute(key, lambda: report.report_pdf(data), timeout=24 * 60 * 60)
    return exports.pdf_response(content, filename=f"medborgarlofte-{municipality}-{year}-tertial-{tertial}")


@require_safe
@public_cached
def open_data_download(
    request: HttpRequest, municipality: str, year: int, tertial: int | None, export_format: str
) -> HttpResponse:
    """A published tertial as CSV (Swedish Excel) or XLSX; `tertial` None is every published one
    (hela-aret.csv: tertial-0.csv is not an address of it)."""
    if export_format not in exports.FORMATS:
        raise NotFound(_("Downloads are CSV or XLSX files."))
    promise = _promise_or_404(municipality, year)
    if tertial is not None:
        tertials = [_published_tertial_or_404(promise, tertial)]
        filename = f"medborgarlofte-{municipality}-{year}-tertial-{tertial}"
    else:
        tertials = published_tertials(promise=promise)
        filename = f"medborgarlofte-{municipality}-{year}"
    return exports.file_response(
        export_format, report.open_data_header(), report.open_data_rows(year=year, tertials=tertials), filename=filename
    )


def _downloads(municipality: Municipality) -> list[dict]:
    """Per public year, its published tertials, for the download links."""
    return [
        {
            "promise": promise,
            "tertials": [
                {"tertial": t, "words": tertial_words(t.tertial, promise.year)}
                for t in published_tertials(promise=promise)
            ],
        }
        for promise in public_promises(municipality=municipality)
    ]


@require_safe
@public_cached
def open_data(request: HttpRequest, municipality: str) -> HttpResponse:
    promise = _current_promise_or_404(municipality)
    place = promise.municipality
    embed_url = request.build_absolute_uri(reverse("public:embed", args=[municipality, promise.year]))
    context = {
        "municipality": place,
        "promise": promise,
        "licence": settings.OPEN_DATA_LICENCE,
        "licence_url": settings.OPEN_DATA_LICENCE_URL,
        "embed_url": embed_url,
        "embed_origins": settings.EMBED_ALLOWED_ORIGINS,
        "feed_url": request.build_absolute_uri(reverse("public:feed", args=[municipality])),
        "limit": SMALL_NUMBER_LIMIT,
        "downloads": _downloads(place),
        "formats": exports.FORMATS,
    }
    return render(request, "public/open_data.html", context)


def embeddable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
    """Lets the partner sites in EMBED_ALLOWED_ORIGINS, and only those, show the page in a frame.

    Without configured origins the page keeps the site-wide frame-ancestors 'none' and
    X-Frame-Options DENY.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        origins = list(settings.EMBED_ALLOWED_ORIGINS)  # read per request, so settings may change
        if not origins:
            return view(request, *args, **kwargs)
        # X-Frame-Options cannot name origins; the CSP's frame-ancestors does.
        framed = xframe_options_exempt(csp_replace({"frame-ancestors": origins})(view))
        return framed(request, *args, **kwargs)

    return wrapped


@require_safe
@embeddable
@public_cached
def embed_year(request: HttpRequest, municipality: str, year: int) -> HttpResponse:
    promise = _promise_or_404(municipality, year)
    tertials = published_tertials(promise=promise)
    latest = tertials[-1] if tertials else None
    sections = latest.sections if latest else []
    targets = section_targets(sections)
    context = {
        "promise": promise,
        "latest": latest,
        "latest_words": latest.words if latest else "",
        "sections": sections,
        "status_counts": status_counts(targets),
        "page_url": request.build_absolute_uri(reverse("public:year", args=[municipality, year])),
    }
    return render(request, "public/embed.html", context)


@require_safe
@embeddable
@public_cached
def embed_area(request: HttpRequest, municipality: str, year: int, slug: str) -> HttpResponse:
    context = _area_context(municipality, year, slug)
    context["page_url"] = request.build_absolute_uri(reverse("public:area", args=[municipality, year, slug]))
    return render(request, "public/embed.html", context)


class PublicationFeed(Feed):
    """Atom: one entry per published tertial and per correction of a municipality's promises,
    newest first."""

    feed_type = Atom1Feed
    subtitle = gettext_lazy("A new entry each time the police and the municipality publish a follow-up.")

    def get_object(self, request: HttpRequest, municipality: str) -> Municipality:
        return _current_promise_or_404(municipality).municipality

    def title(self, obj: Municipality) -> str:
        return _("Citizen promises in %(municipality)s: published follow-ups") % {"municipality": obj.name}

    def link(self, obj: Municipality) -> str:
        return reverse("public:municipality", args=[obj.slug])

    def items(self, obj: Municipality) -> list[Publication]:
        return feed_publications(municipality=obj)

    def item_title(self, item: Publication) -> str:
        words = tertial_words(item.tertial, item.promise.year)
        if item.version > 1:
            return _("%(title)s: follow-up %(period)s, corrected") % {"title": item.promise.title, "period": words}
        return _("%(title)s: follow-up %(period)s") % {"title": item.promise.title, "period": words}

    def item_description(self, item: Publication) -> str:
        # Statuses only: no figure, so the small-number rule cannot be broken here.
        counts = status_counts(item.snapshot.get("targets", []))
        parts = ", ".join(f"{c['count']} {Status(c['status']).label.lower()}" for c in counts)
        text = _("%(total)s targets: %(parts)s.") % {"total": sum(c["count"] for c in counts), "parts": parts}
        if item.reason:
            text += " " + _("Corrected: %(reason)s") % {"reason": item.reason}
        return text

    def item_link(self, item: Publication) -> str:
        place = item.promise.municipality.slug
        return reverse("public:year", args=[place, item.promise.year]) + f"#tertial-{item.tertial}"

    def item_guid(self, item: Publication) -> str:
        # Unchanged since the feed had one municipality: readers keep the entries they have read.
        return f"publication-{item.promise.year}-{item.tertial}-v{item.version}-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Publication):
        return item.published_at

    def item_updateddate(self, item: Publication):
        return item.published_at
