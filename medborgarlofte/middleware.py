import time

from django.conf import settings
from django.contrib.auth import logout


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
