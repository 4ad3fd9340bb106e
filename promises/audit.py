"""The audit log: logins, failed logins, lockouts, approvals, publications and changes to
published periods, with who, when and from where. The request is taken from
django-simple-history's middleware when a service records an event without one."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from simple_history.models import HistoricalRecords

from promises.models import AuditEvent, User


def _current_request() -> HttpRequest | None:
    return getattr(HistoricalRecords.context, "request", None)


def _ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *, action: str, user: User | None = None, username: str = "", request: HttpRequest | None = None, **detail
) -> AuditEvent:
    request = request or _current_request()
    if user is not None and getattr(user, "is_authenticated", False):
        username = username or user.get_username()
    else:
        user = None
    return AuditEvent.objects.create(
        action=action, user=user, username=username[:150], ip_address=_ip(request), detail=detail
    )


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=AuditEvent.Action.LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditEvent.Action.LOGOUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Only the username: Django has already masked the password, and we keep none of it.
    audit_record(action=AuditEvent.Action.LOGIN_FAILED, username=str(credentials.get("username", "")), request=request)


def _locked_out(sender, request, username, ip_address, **kwargs):
    AuditEvent.objects.create(
        action=AuditEvent.Action.LOCKED_OUT, username=(username or "")[:150], ip_address=ip_address or None
    )


def connect_axes() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")
