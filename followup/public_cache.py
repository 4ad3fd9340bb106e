"""Public pages and open data as a proxy, a browser and our own cache may keep them.

A local news story linking to the follow-up sends thousands of readers at once. They are all
anonymous and all see the same page, so:

- the page is rendered once per publication, language and address and kept in the cache
  (`CACHE_URL`'s Redis, shared by every app server, or each process's memory);
- the response says `Cache-Control: public, max-age=PUBLIC_CACHE_MAX_AGE`, carries an ETag and
  sets no cookie (the language is chosen by address, not by a form), so a proxy or a CDN in
  front may serve it too;
- a reader who has the page already gets `304 Not Modified` for an If-None-Match that matches.

What a page shows changes when something is published (a tertial or a correction), when a
promise becomes public or a new one is loaded, or on a new day. Those make up the *stamp*
(`publication_stamp`, one small aggregate query), and the stamp is part of every cache key
and ETag: a new publication gives every public page a new ETag at once, on every server. Any
other change (a promise's wording corrected in the admin, a new release) shows once the kept
page expires, after PUBLIC_CACHE_SECONDS.

A logged-in user, or a reader whose request carries a session or a message, gets the page
rendered for them as before, marked `private, no-cache`: their header differs (their menu, a
log-out form with its CSRF token, a message), and no one else may be shown it.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from promises.models import Promise

View = Callable[..., HttpResponseBase]


def publication_stamp() -> str:
    """What every public page depends on: the public promises, their publications and the day.

    One query; a new publication (or correction) changes the count and the latest id.
    """
    stamp = Promise.objects.public().aggregate(
        promises=Count("pk", distinct=True),
        last_promise=Max("pk"),
        publication_count=Count("publications"),
        last_publication=Max("publications__pk"),
    )
    values = [stamp["promises"], stamp["last_promise"], stamp["publication_count"], stamp["last_publication"]]
    return ".".join(str(value) for value in [*values, timezone.localdate().isoformat()])


def is_anonymous_reader(request: HttpRequest) -> bool:
    """Nobody logged in and nothing of theirs to show: the page is the same as everyone's."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _key(request: HttpRequest, stamp: str, vary_on_accept: bool) -> str:
    address = "|".join(
        [
            request.scheme or "",
            request.get_host(),
            request.get_full_path(),
            request.headers.get("Accept", "") if vary_on_accept else "",
        ]
    )
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"public-page:{stamp}:{translation.get_language()}:{digest}"


def _etag(stamp: str, content: bytes) -> str:
    return '"' + hashlib.sha256(stamp.encode() + b"\0" + content).hexdigest()[:32] + '"'


def _rendered(view: View, request: HttpRequest, args: Any, kwargs: Any) -> HttpResponseBase:
    response = view(request, *args, **kwargs)
    render = getattr(response, "render", None)
    if render is not None and not getattr(response, "is_rendered", True):
        render()  # a TemplateResponse or DRF's Response: its bytes are what we keep
    return response


def _cacheable(response: HttpResponseBase) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "Cache-Control" not in response.headers
    )


def public_cached(view: View | None = None, *, vary_on_accept: bool = False) -> Any:
    """Serve `view` to anonymous readers from the cache, with Cache-Control, ETag and 304.

    Put it next to the view (under `embeddable`, which must mark every response it returns).
    `vary_on_accept` for views that answer in more than one format by the Accept header.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            if not is_anonymous_reader(request):
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ["Cookie"])
                return response

            stamp = publication_stamp()
            key = _key(request, stamp, vary_on_accept)
            kept = cache.get(key)
            if kept is None:
                fresh = _rendered(view, request, args, kwargs)
                if not _cacheable(fresh):
                    return fresh
                assert isinstance(fresh, HttpResponse)  # not streaming
                kept = {
                    "content": fresh.content,
                    "headers": dict(fresh.headers),
                    "etag": _etag(stamp, fresh.content),
                }
                cache.set(key, kept, settings.PUBLIC_CACHE_SECONDS)

            response = HttpResponse(kept["content"])
            for name, value in kept["headers"].items():
                response.headers[name] = value
            response.headers["ETag"] = kept["etag"]
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_MAX_AGE)
            # A logged-in user's copy differs (their menu): a shared cache keeps one per Cookie
            # header, and readers without cookies all share the same.
            patch_vary_headers(response, ["Accept", "Cookie"] if vary_on_accept else ["Cookie"])
            return get_conditional_response(request, etag=kept["etag"], response=response) or response

        return wrapped

    return decorator(view) if view is not None else decorator
