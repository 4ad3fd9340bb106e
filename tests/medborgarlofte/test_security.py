"""Lockout, sessions, the audit log, the CSP header and the 503 page."""

from datetime import date
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

from followup.services import tertial_approve
from promises.models import AuditEvent
from promises.periods import Tertial
from promises.services import ActivityData, activity_create, activity_update
from tests.factories import PASSWORD, World, staff_user

pytestmark = pytest.mark.django_db


def _login(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_lockout_after_repeated_failures_with_a_swedish_message(client, settings):
    user = staff_user()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, user.username, "fel").status_code == 200
    response = _login(client, user.username, "fel")
    assert response.status_code == 429
    assert "Kontot är spärrat" in response.content.decode()
    # Even the right password is refused while locked.
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED_OUT, username=user.username).exists()


def test_audit_log_records_logins_and_failures_without_passwords(client):
    user = staff_user()
    _login(client, user.username, "hemligt-fel-lösenord")
    _login(client, user.username, PASSWORD, ip="10.1.2.3")
    client.post(reverse("logout"))
    events = list(AuditEvent.objects.order_by("pk").values_list("action", "username", "ip_address"))
    assert events == [
        ("login_failed", user.username, "10.0.0.1"),
        ("login", user.username, "10.1.2.3"),
        ("logout", user.username, "127.0.0.1"),
    ]
    assert "hemligt" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_audit_log_records_approvals_publishing_and_published_changes():
    world = World(year=2022)
    activity = activity_create(
        user=world.manager,
        data=ActivityData(
            activity_type=world.patrol, area=world.raslatt, date=date(2022, 2, 1), note="Intern anteckning"
        ),
    )
    for user in (world.manager, world.municipal_manager):
        tertial_approve(promise=world.promise, tertial=Tertial(2022, 1), user=user)
    activity_update(
        activity=activity,
        user=world.manager,
        data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=date(2022, 2, 1), quantity=3),
    )
    events = list(AuditEvent.objects.order_by("pk").values_list("action", "username"))
    assert events == [
        ("approve", world.manager.username),
        ("approve", world.municipal_manager.username),
        ("publish", world.municipal_manager.username),
        ("published_change", world.manager.username),
    ]
    change = AuditEvent.objects.get(action="published_change")
    assert change.detail == {
        "change": "update",
        "activity": activity.pk,
        "activity_type": "fotpatrull",
        "tertials": ["T1 2022"],
    }
    assert "Intern anteckning" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_deactivating_a_user_ends_their_sessions(client):
    user = staff_user()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_has_an_absolute_lifetime(client, settings):
    client.force_login(staff_user())
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60


def test_csp_header_allows_no_inline_script(client):
    header = client.get(reverse("public:index"))["Content-Security-Policy"]
    script_src = next(part for part in header.split(";") if part.strip().startswith("script-src"))
    assert script_src.strip() == "script-src 'self'"
    assert "unsafe-eval" not in header


@override_settings(DEBUG=False)
def test_database_down_gives_a_clear_503_page(client):
    client.raise_request_exception = False
    with mock.patch("followup.views.public.promise_current", side_effect=OperationalError("connection refused")):
        response = client.get(reverse("public:index"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "tillfälligt otillgänglig" in response.content.decode()


@override_settings(DEBUG=False)
def test_other_errors_give_a_500_page_in_swedish(client):
    client.raise_request_exception = False
    with mock.patch("followup.views.public.promise_current", side_effect=RuntimeError("bug")):
        response = client.get(reverse("public:index"))
    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()


def test_404_page_is_in_swedish(client):
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()
