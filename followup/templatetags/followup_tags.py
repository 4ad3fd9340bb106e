from django import template

from followup.selectors import manager_overview
from followup.tables import difference_text, format_value, status_html

register = template.Library()


@register.simple_tag
def data_lang():
    """` lang="sv"` on an element holding the promise's own words (titles, commitments,
    comments), when the interface around them is in another language (WCAG 3.1.2)."""
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    return "" if (get_language() or "sv").startswith("sv") else mark_safe(' lang="sv"')


@register.simple_tag
def figure(value, unit: str = "count") -> str:
    return format_value(value, unit)


@register.simple_tag
def difference(value, unit: str = "count") -> str:
    """ "72 fewer than the target": the full-year outcome against the target."""
    return difference_text(value, unit)


@register.simple_tag
def status_badge(status: str):
    return status_html(status)


@register.simple_tag
def public_status(status: str, page: str = ""):
    """A status on a public page, linked to its sentence in the page's legend, or in `page`'s legend
    in a new window (from the embed, which has no legend of its own)."""
    from django.utils.html import format_html
    from django.utils.translation import gettext as _

    if page:
        return format_html(
            '<a class="status-link" href="{}#status-legend-{}" target="_blank" rel="noopener">{}'
            '<span class="visually-hidden"> ({})</span></a>',
            page,
            status,
            status_html(status),
            _("what it means, opens in a new window"),
        )
    return format_html('<a class="status-link" href="#status-legend-{}">{}</a>', status, status_html(status))


@register.simple_tag
def legend_rows() -> list[dict]:
    from followup.public import status_legend

    return status_legend()


@register.simple_tag
def target_bar(target: dict) -> dict | None:
    from followup.public import target_bar as bar

    return bar(target)


@register.simple_tag
def of_text(value, whole, target: dict) -> str:
    from followup.public import of_text as text

    return text(value, whole, target)


@register.inclusion_tag("manager/includes/start_overview.html", takes_context=True)
def manager_start(context) -> dict:
    """The manager's part of the start page. A tag, so that the staff start page (in promises)
    can show the follow-up without promises importing followup."""
    return {"overview": manager_overview(user=context["user"])}


@register.simple_tag
def period_word(period: str) -> str:
    """ "vecka" or "månad", for a target's cadence period."""
    from promises.models import Target

    return str(Target.Period(period).label).lower() if period in Target.Period.values else ""


# What json_script escapes, so the JSON cannot close the <script> element it sits in.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def chart_json(figure: dict, element_id: str):
    """Like json_script, serialised with orjson: chart figures can hold thousands of points."""
    import orjson
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    text = orjson.dumps(figure).decode().translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, mark_safe(text))
