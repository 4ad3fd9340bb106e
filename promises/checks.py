"""System checks on settings that name our reference data."""

import difflib

from django.conf import settings
from django.core.checks import Error, register

from promises.municipalities import municipalities_from_file


@register()
def public_default_municipality_check(app_configs, **kwargs) -> list[Error]:
    """PUBLIC_DEFAULT_MUNICIPALITY names one of the 290 by its slug, or the site's "/" and its
    footer's links lead to 404s. Read from the committed list, not the database, so the check
    also runs before the first migrate."""
    slug = settings.PUBLIC_DEFAULT_MUNICIPALITY
    if not slug:
        return []
    slugs = [row["slug"] for row in municipalities_from_file()]
    if slug in slugs:
        return []
    close = difflib.get_close_matches(slug, slugs, n=3)
    hint = f"Did you mean {', '.join(close)}?" if close else "The slugs are in data/municipalities.csv."
    return [
        Error(
            f"PUBLIC_DEFAULT_MUNICIPALITY={slug!r} is not the slug of a Swedish municipality.",
            hint=hint,
            id="medborgarlofte.E001",
        )
    ]
