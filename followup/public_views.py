"""The public pages: what was promised and the published follow-up. Anyone may read them.

They read publication snapshots only (through `followup.public`), never activities.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from followup.public import public_promises, published_tertials, section_chart, section_summary
from medborgarlofte.http import NotFound
from promises.models import Promise
from promises.selectors import promise_current, promise_for_year, promise_with_structure


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
                }
            )
    return {"promise": promise, "tertials": tertials, "latest": latest, "sections": sections}


@require_safe
def public_index(request: HttpRequest) -> HttpResponse:
    promise = promise_current()
    context = {"promise": None, "other_years": []}
    if promise is not None:
        context.update(_public_context(promise))
        if context["latest"] is None:
            # Nothing published yet: what was promised, without figures.
            context["promise"] = promise_with_structure(promise=promise)
        context["signatories"] = promise.signatories.select_related("organisation")
        context["parties"] = promise.parties.all()
        context["other_years"] = [p for p in public_promises() if p.pk != promise.pk]
    return render(request, "public/index.html", context)


@require_safe
def public_year(request: HttpRequest, year: int) -> HttpResponse:
    promises = [p for p in public_promises() if p.year == year]
    if not promises:
        promise = promise_for_year(year)
        if promise is None:
            raise NotFound(_("There is no citizen promise for %(year)s.") % {"year": year})
        promises = [promise]
    context = _public_context(promises[0])
    context["other_years"] = [p for p in public_promises() if p.year != year]
    return render(request, "public/year.html", context)


@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "public/accessibility.html")
