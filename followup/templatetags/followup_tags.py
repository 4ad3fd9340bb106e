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
