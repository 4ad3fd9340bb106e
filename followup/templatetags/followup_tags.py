from django import template

from followup.tables import format_value, status_html

register = template.Library()


@register.simple_tag
def figure(value, unit: str = "count") -> str:
    return format_value(value, unit)


@register.simple_tag
def status_badge(status: str):
    return status_html(status)


@register.simple_tag
def period_word(period: str) -> str:
    """ "vecka" or "månad", for a target's cadence period."""
    from promises.models import Target

    return str(Target.Period(period).label).lower() if period in Target.Period.values else ""


@register.filter
def chart_json(figure: dict, element_id: str):
    """Like json_script, serialised with orjson: chart figures can hold thousands of points."""
    import orjson
    from django.utils.html import _json_script_escapes, format_html
    from django.utils.safestring import mark_safe

    text = orjson.dumps(figure).decode().translate(_json_script_escapes)
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, mark_safe(text))
