"""Public pages and open data as a proxy, a browser and our own cache may keep them.

A local news story linking to the follow-up sends thousands of readers at once. They are all
anonymous and all see the same page, so:

- the response says `Cache-Control: public, max-age=PUBLIC_CACHE_MAX_AGE`, carries an ETag and
  sets no cookie (the language is chosen by address, not by a form), so a proxy or a CDN in
  front may serve it too, and a reader who has it gets `304 Not Modified`;
- the finished response (every header the middleware added) is kept in the cache with its
  publication stamp, per language and address (`CACHE_URL`'s Redis, shared by every app server,
  or each process's memory), and `PublicCacheMiddleware`, right after whitenoise, answers the
  next anonymous reader from it before sessions, authentication, CSRF or the database are
  touched: a public page then costs about what a static file costs.

Two parts: the `public_cached` decorator marks a view's response as public (only views so
marked are ever kept), and the middleware keeps and serves what was marked.

The *stamp* is what every public page depends on: the public promises and their
publications (a tertial published or corrected), and the day. It is part of every key and
ETag, so a new publication gives every public page a new ETag. It is itself kept in the cache
for PUBLIC_STAMP_SECONDS and forgotten whenever a publication or a promise is saved: with a
shared cache every server sees a publication at once; with each process's own memory, the
other processes within PUBLIC_STAMP_SECONDS. Any other change (a promise's wording corrected in
the admin, a new release) shows once the kept page expires, after PUBLIC_CACHE_SECONDS.

A logged-in user, or a reader whose request carries a session or a message, gets the page
rendered for them, marked `private, no-cache`: their header differs (their menu, a log-out form
with its CSRF token, a message), and no one else may be shown it.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from promises.models import Promise

View = Callable[..., HttpResponseBase]
STAMP_KEY = "public-stamp"


def publication_stamp(kept: str | None = None) -> str:
    """What every public page depends on, kept for PUBLIC_STAMP_SECONDS (one query otherwise).

    `kept` is the stamp already read from the cache, if any."""
    stamp = kept if kept is not None else cache.get(STAMP_KEY)
    if stamp is None:
        stamp = _stamp_from_database()
        cache.set(STAMP_KEY, stamp, settings.PUBLIC_STAMP_SECONDS)
    return f"{stamp}.{timezone.localdate().isoformat()}"


def _stamp_from_database() -> str:
    # A new publication (or correction) changes the count and the latest id; a promise made
    # public changes the promises' count.
    stamp = Promise.objects.public().aggregate(
        promises=Count("pk", distinct=True),
        last_promise=Max("pk"),
        publication_count=Count("publications"),
        last_publication=Max("publications__pk"),
    )
    return ".".join(str(stamp[name]) for name in ("promises", "last_promise", "publication_count", "last_publication"))


def forget_publication_stamp(**_kwargs: Any) -> None:
    """Connected to saves of publications and promises (followup/apps.py). At once, and again
    after the commit, so a reader between the two cannot keep the old stamp."""
    cache.delete(STAMP_KEY)
    transaction.on_commit(lambda: cache.delete(STAMP_KEY))


# The only query parameter a public address reads (the open data's `?format=csv`). An address
# with any other is rendered for its reader and never kept: otherwise `?x=1`, `?x=2`, … would
# each fill the cache with a copy of the same page.
KEPT_PARAMETERS = {"format"}


def is_anonymous_reader(request: HttpRequest) -> bool:
    """No session (so nobody logged in), no message and no API token: the page is the same as
    everyone's."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "authorization" not in request.headers
        and set(request.GET) <= KEPT_PARAMETERS
    )


def _key(request: HttpRequest, accept: bool) -> str:
    """The page's place in the cache: language and address. The stamp is kept with the page and
    compared, so one read fetches both the stamp and the page."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    parts = [request.scheme or "", request.get_host(), request.get_full_path()]
    if accept:
        parts.append(request.headers.get("Accept", ""))
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return f"public-page:{language}:{digest}"


def _etag(stamp: str, content: bytes) -> str:
    return '"' + hashlib.sha256(stamp.encode() + b"\0" + content).hexdigest()[:32] + '"'


def _rendered(view: View, request: HttpRequest, args: Any, kwargs: Any) -> HttpResponseBase:
    response = view(request, *args, **kwargs)
    render = getattr(response, "render", None)
    if render is not None and not getattr(response, "is_rendered", True):
        render()  # a TemplateResponse or DRF's Response: its bytes make the ETag
    return response


def public_cached(view: View | None = None, *, vary_on_accept: bool = False) -> Any:
    """Mark `view`'s answers to anonymous readers as public: Cache-Control, ETag, 304, kept.

    Put it next to the view (under `embeddable`: its frame headers are set by middleware on
    the way out, so the kept response has them). `vary_on_accept` for views that answer in
    more than one format by the Accept header.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            if not is_anonymous_reader(request) or request.user.is_authenticated:
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ["Cookie"])
                return response

            stamp = publication_stamp()
            response = _rendered(view, request, args, kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                return response
            assert isinstance(response, HttpResponse)  # not streaming
            response.headers["ETag"] = _etag(stamp, response.content)
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_MAX_AGE)
            # A logged-in user's copy differs (their menu): a shared cache keeps one per Cookie
            # header, and readers without cookies all share the same.
            patch_vary_headers(response, ["Accept", "Cookie"] if vary_on_accept else ["Cookie"])
            response.public_cache_key = _key(request, vary_on_accept)  # type: ignore[attr-defined]
            response.public_cache_stamp = stamp  # type: ignore[attr-defined]
            if vary_on_accept:
                response.public_cache_marker = _key(request, False)  # type: ignore[attr-defined]
            return get_conditional_response(request, etag=response.headers["ETag"], response=response) or response

        return wrapped

    return decorator(view) if view is not None else decorator


# Response headers a kept page must not carry to the next reader.
PER_REQUEST_HEADERS = {"set-cookie", "date"}


class PublicCacheMiddleware:
    """Serve the responses `public_cached` marked, kept whole, to anonymous readers.

    Sits right after whitenoise: a hit costs a cache read or two and Django's security headers,
    nothing else. A miss goes through the whole stack as before, and on the way out a marked
    response is kept with every header the middleware gave it (CSP, frame options, Vary).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD") or not is_anonymous_reader(request):
            return self.get_response(request)
        key = _key(request, False)
        found = cache.get_many([STAMP_KEY, key])  # one round trip to a shared cache
        kept = found.get(key)
        if kept is not None and kept.get("accept"):
            kept = cache.get(_key(request, True))
        # The stamp only to compare with a kept page: an address we never keep costs no query.
        if kept is not None and kept["stamp"] == publication_stamp(found.get(STAMP_KEY)):
            return self._from(kept, request)

        response = self.get_response(request)
        keep_as = getattr(response, "public_cache_key", None)
        if keep_as is not None and response.cookies:
            # Something on the way out set a cookie (a template asked for a CSRF token): this
            # response is the reader's own, never a proxy's to share.
            response.headers["Cache-Control"] = "private, no-cache"
            return response
        if keep_as is not None and response.status_code == 200:
            assert isinstance(response, HttpResponse)
            headers = {
                name: value for name, value in response.headers.items() if name.lower() not in PER_REQUEST_HEADERS
            }
            stamp = response.public_cache_stamp  # type: ignore[attr-defined]
            page = {"stamp": stamp, "content": response.content, "headers": headers}
            cache.set(keep_as, page, settings.PUBLIC_CACHE_SECONDS)
            marker = getattr(response, "public_cache_marker", None)
            if marker is not None:
                cache.set(marker, {"accept": True}, settings.PUBLIC_CACHE_SECONDS)
        return response

    @staticmethod
    def _from(kept: dict, request: HttpRequest) -> HttpResponseBase:
        response = HttpResponse(kept["content"])
        for name, value in kept["headers"].items():
            response.headers[name] = value
        return get_conditional_response(request, etag=response.headers.get("ETag"), response=response) or response
