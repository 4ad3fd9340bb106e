"""The header's language link: the same page in the other language.

Swedish lives at the plain address, English under /en/ (i18n_patterns without a prefix for the
default language). A plain link and no form: choosing a language sets no cookie, so public
pages stay cacheable (followup/public_cache.py).
"""

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

register = template.Library()


def address_in(path: str, language: str) -> str:
    """`path` (with its query) in `language`: the /en/ prefix added or taken away."""
    current = translation.get_language_from_path(path)
    if current and current != settings.LANGUAGE_CODE:
        path = path[len(current) + 1 :] or "/"
    if language == settings.LANGUAGE_CODE:
        return path
    return f"/{language}{path}"


@register.simple_tag(takes_context=True)
def other_languages(context: template.Context) -> list[dict[str, str]]:
    """Every language but the current one, each with its name in itself and this page's address in it."""
    request: HttpRequest | None = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    current = translation.get_language()
    return [
        {"code": code, "name": translation.get_language_info(code)["name_local"], "url": address_in(path, code)}
        for code, _name in settings.LANGUAGES
        if code != current
    ]
