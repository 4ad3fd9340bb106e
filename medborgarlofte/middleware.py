import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import render
from django.utils import translation


class SessionInactivityTimeoutMiddleware:
    """Log a user out after SESSION_INACTIVITY_TIMEOUT seconds without a request.

    SESSION_COOKIE_AGE caps the session's whole lifetime; this ends it earlier when a
    shared computer or a phone is left logged in.
    """

    session_key = "last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.session_key)
            if last is not None and now - last > settings.SESSION_INACTIVITY_TIMEOUT:
                logout(request)
            elif last is None or now - last > 60:
                # A minute's resolution spares a session write on every request.
                request.session[self.session_key] = now
        return self.get_response(request)


class PathLocaleMiddleware:
    """The language from the address only: /en/… is English, everything else Swedish.

    Django's LocaleMiddleware would also read a cookie and the browser's Accept-Language, so
    an English browser got English pages and every public response had to vary on the
    header. Here the same address always answers in the same language: a proxy may keep
    one copy per address, and a reader chooses English by following the header's link.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class MethodNotAllowedPageMiddleware:
    """A Swedish page for a 405 that has none.

    require_POST answers an address opened by hand (a bookmarked approve button, a link
    copied from the address bar) with an empty 405: a blank page. The status and the Allow
    header stay; the body says what the address is for. API answers keep their JSON.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Only an address opened (GET): a form posted to a page that only shows gets its 405
        # as it is, and HEAD has no body to show.
        if response.status_code != 405 or request.method != "GET" or response.streaming or response.content:
            return response
        if request.path_info.startswith("/api/"):
            return response
        page = render(request, "405.html", status=405)
        page.headers["Allow"] = response.headers.get("Allow", "")
        return page
