"""E-mail notifications: each sent once, to the right people only, with nothing sensitive in it."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command

from followup.models import Notification, TargetComment, UserSettings
from followup.notifications import notifications_collect, notifications_send
from followup.services import tertial_approve
from promises import roles
from promises.models import Organisation, Promise, Target
from promises.periods import Tertial
from tests.factories import (
    ActivityFactory,
    ActivityTypeFactory,
    AreaFactory,
    OrganisationFactory,
    PromiseFactory,
    TargetFactory,
    UserFactory,
    World,
    manager_user,
)

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MARKER = "HEMLIG-MARKÖR-4711"


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=STOCKHOLM), tick=False)


def _with_emails(world: World) -> World:
    """Everyone in the world gets an address; a second municipal manager and a police manager of
    another promise join, so that "the right people only" has someone to leave out."""
    world.municipal_manager2 = manager_user(organisation=world.municipality)
    world.clerk2 = UserFactory(organisation=world.municipality, role=roles.MUNICIPAL_STAFF)
    habo = OrganisationFactory(short_name="Habo", name="Habo kommun", kind=Organisation.Kind.MUNICIPALITY)
    world.other_manager = manager_user(organisation=habo)
    # Closed, so that it asks for no approvals of its own: its managers must simply hear nothing.
    other = PromiseFactory(municipality="Habo", year=world.year, status=Promise.Status.CLOSED)
    other.parties.set([world.police, habo])
    for name in ("officer", "colleague", "clerk", "clerk2", "manager", "municipal_manager", "municipal_manager2"):
        user = getattr(world, name)
        user.email = f"{name}@example.se"
        user.save()
    world.other_manager.email = "other_manager@example.se"
    world.other_manager.save()
    return world


def _sent() -> list[tuple[str, str]]:
    """(recipient, subject) of every e-mail sent, in order."""
    return [(message.to[0], message.subject) for message in mail.outbox]


def _recipients() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


# --- Approvals -----------------------------------------------------------------------------


def test_approval_tells_the_other_partys_managers_once():
    world = _with_emails(World(year=2022))
    tertial_approve(promise=world.promise, tertial=Tertial(2022, 1), user=world.manager)
    report = notifications_send()
    assert report.sent == 2
    assert _recipients() == ["municipal_manager2@example.se", "municipal_manager@example.se"]
    assert {subject for _to, subject in _sent()} == {"Polisen har godkänt T1 2022"}

    # A second run, and a second police manager approving the same figures, send nothing more.
    tertial_approve(promise=world.promise, tertial=Tertial(2022, 1), user=manager_user(organisation=world.police))
    assert notifications_send().sent == 0
    assert len(mail.outbox) == 2


def test_approval_that_publishes_tells_the_first_party_it_is_published():
    world = _with_emails(World(year=2022))
    world.publish(1)
    notifications_send()
    assert sorted(_sent()) == [
        ("manager@example.se", "T1 2022 är publicerat: Jönköpings kommun har godkänt det"),
        ("municipal_manager2@example.se", "Polisen har godkänt T1 2022"),
        ("municipal_manager@example.se", "Polisen har godkänt T1 2022"),
    ]


def test_dropped_approval_tells_both_parties_managers():
    world = _with_emails(World(year=2022))
    tertial_approve(promise=world.promise, tertial=Tertial(2022, 1), user=world.manager)
    notifications_send()
    mail.outbox.clear()
    world.log(world.patrol, 5, datetime.date(2022, 2, 1))  # the figures change

    outcome = tertial_approve(promise=world.promise, tertial=Tertial(2022, 1), user=world.municipal_manager)

    assert outcome.publication is None
    notifications_send()
    dropped = "Godkännandet av T1 2022 från Polisen gäller inte längre"
    assert sorted(_sent()) == [
        ("manager@example.se", dropped),
        ("manager@example.se", "Jönköpings kommun har godkänt T1 2022"),
        ("municipal_manager2@example.se", dropped),
        ("municipal_manager@example.se", dropped),
    ]
    body = next(m.body for m in mail.outbox if m.subject == dropped and m.to == ["manager@example.se"])
    assert "Polisen behöver granska uppföljningen och godkänna igen" in body


def test_approval_notice_is_queued_with_the_approval_and_sent_by_the_command():
    world = _with_emails(World(year=2022))
    tertial_approve(promise=world.promise, tertial=Tertial(2022, 1), user=world.manager)
    assert mail.outbox == []
    assert Notification.objects.filter(kind=Notification.Kind.APPROVED, sent_at__isnull=True).count() == 2
    notifications_send()
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0
    assert len(mail.outbox) == 2


def test_notifications_skip_users_without_an_address_or_inactive():
    world = _with_emails(World(year=2022))
    world.municipal_manager2.email = ""
    world.municipal_manager2.save()
    world.municipal_manager.is_active = False
    world.municipal_manager.save()
    tertial_approve(promise=world.promise, tertial=Tertial(2022, 1), user=world.manager)
    notifications_send()
    assert mail.outbox == []


# --- Tertials that await approval ------------------------------------------------------------


def test_ended_tertial_reminds_every_partys_managers_once(settings):
    settings.SITE_URL = "https://ml.example.se"
    with _at(datetime.date(2026, 5, 4)):
        world = _with_emails(World(year=2026))
        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert _recipients() == [
            "manager@example.se",
            "municipal_manager2@example.se",
            "municipal_manager@example.se",
        ]
        assert {m.subject for m in mail.outbox} == {"T1 2026 har avslutats och väntar på ert godkännande"}
        body = mail.outbox[0].body
        assert f"https://ml.example.se/uppfoljning/?promise={world.promise.pk}&tertial=1" in body

        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert len(mail.outbox) == 3


def test_ended_tertial_reminds_only_the_party_that_has_not_approved():
    with _at(datetime.date(2026, 5, 4)):
        world = _with_emails(World(year=2026))
        tertial_approve(promise=world.promise, tertial=Tertial(2026, 1), user=world.manager)
        notifications_collect(today=datetime.date(2026, 5, 4))
        reminded = Notification.objects.filter(kind=Notification.Kind.TERTIAL_ENDED)
        assert sorted(reminded.values_list("recipient__email", flat=True)) == [
            "municipal_manager2@example.se",
            "municipal_manager@example.se",
        ]


def test_no_reminder_for_a_running_tertial_a_published_one_or_a_closed_promise():
    with _at(datetime.date(2022, 9, 5)):
        world = _with_emails(World(year=2022))
    world.publish(1)
    Notification.objects.all().delete()
    with _at(datetime.date(2022, 9, 5)):
        notifications_collect(today=datetime.date(2022, 9, 5))
    assert set(Notification.objects.values_list("kind", "subject_key")) == {
        ("tertial_ended", f"promise-{world.promise.pk}/T2")
    }
    Notification.objects.all().delete()
    Promise.objects.filter(pk=world.promise.pk).update(status=Promise.Status.CLOSED)
    assert notifications_collect(today=datetime.date(2023, 1, 10)) == 0


# --- The weekly digest -------------------------------------------------------------------------

WEDNESDAY = datetime.date(2026, 5, 6)  # ISO week 19


def test_weekly_digest_lists_the_organisations_missing_entries_to_its_staff_only(settings):
    settings.SITE_URL = "https://ml.example.se"
    with _at(WEDNESDAY):
        world = _with_emails(World(year=2026))
        world.log(world.report, 1, WEDNESDAY, area=world.oxnehaga)  # Öxnehaga is done this week
        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
        digests = [m for m in mail.outbox if m.subject == "Registreringar som saknas denna vecka (v. 19)"]
        # Municipal staff log lägesbilder; police staff have no cadence type; managers get no digest.
        assert sorted(m.to[0] for m in digests) == ["clerk2@example.se", "clerk@example.se"]
        body = digests[0].body
        assert "Lägesbild Råslätt v. 19 saknas" in body
        assert "Öxnehaga" not in body
        assert f"https://ml.example.se/registrera/lagesbild/?omrade={world.raslatt.pk}" in body
        assert "https://ml.example.se/mina-installningar/" in body

        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert len([m for m in mail.outbox if m.subject.startswith("Registreringar som saknas")]) == 2


def test_weekly_digest_waits_for_its_weekday_and_comes_again_next_week(settings):
    settings.NOTIFICATION_DIGEST_WEEKDAY = 3
    with _at(WEDNESDAY):
        _with_emails(World(year=2026))
    monday, next_wednesday = WEDNESDAY - datetime.timedelta(days=2), WEDNESDAY + datetime.timedelta(days=7)
    for day, expected in (
        (monday, 0),
        (WEDNESDAY, 2),
        (WEDNESDAY + datetime.timedelta(days=1), 0),
        (next_wednesday, 2),
    ):
        with _at(day):
            notifications_collect(today=day)
            before = len(mail.outbox)
            notifications_send(today=day)
            digests = [m for m in mail.outbox[before:] if m.subject.startswith("Registreringar som saknas")]
            assert len(digests) == expected, day


def test_weekly_digest_can_be_turned_off():
    with _at(WEDNESDAY):
        world = _with_emails(World(year=2026))
        UserSettings.objects.create(user=world.clerk2, weekly_digest=False)
        notifications_collect(today=WEDNESDAY)
        notifications_send(today=WEDNESDAY)
        assert [m.to[0] for m in mail.outbox if m.subject.startswith("Registreringar som saknas")] == [
            "clerk@example.se"
        ]


def test_weekly_digest_turned_off_after_queueing_is_not_sent():
    with _at(WEDNESDAY):
        world = _with_emails(World(year=2026))
        notifications_collect(today=WEDNESDAY)
        UserSettings.objects.create(user=world.clerk2, weekly_digest=False)
        report = notifications_send(today=WEDNESDAY)
        assert [m.to[0] for m in mail.outbox if m.subject.startswith("Registreringar som saknas")] == [
            "clerk@example.se"
        ]
        assert report.skipped == 1


def test_weekly_digest_names_a_sensitive_type_and_nothing_more():
    with _at(WEDNESDAY):
        world = _with_emails(World(year=2026))
        secret_area = AreaFactory(name="Skyddat område", slug="skyddat")
        sig = ActivityTypeFactory(code="sig", name="SIG-ärende", is_sensitive=True, organisations=[world.municipality])
        TargetFactory(
            commitment=world.report_target.commitment,
            kind=Target.Kind.CADENCE,
            count=None,
            period=Target.Period.MONTH,
            activity_type=sig,
            areas=[secret_area],
        )
        notifications_collect(today=WEDNESDAY)
        notifications_send(today=WEDNESDAY)
        body = next(m.body for m in mail.outbox if m.to == ["clerk@example.se"])
        assert "SIG-ärende" in body
        assert "Skyddat område" not in body
        assert "registrera/sig" not in body


# --- Nothing sensitive, links, failures --------------------------------------------------------


def test_no_email_contains_a_note_a_description_a_comment_or_a_reason():
    # A Wednesday after T2 has ended: every kind of e-mail is due.
    day = datetime.date(2026, 9, 2)
    with _at(day):
        world = _with_emails(World(year=2026))
        ActivityFactory(
            promise=world.promise,
            activity_type=world.report,
            area=world.raslatt,
            date=day,
            note=MARKER,
            created_by=world.clerk,
        )
        ActivityFactory(
            promise=world.promise,
            activity_type=world.measure,
            area=world.raslatt,
            date=datetime.date(2026, 2, 2),
            description=MARKER,
            note=MARKER,
            created_by=world.clerk,
        )
        TargetComment.objects.create(
            target=world.patrol_target, tertial=1, analysis=MARKER, measures=MARKER, updated_by=world.manager
        )
        world.publish(1)
        world.log(world.patrol, 3, datetime.date(2026, 2, 3))  # a correction is needed
        tertial_approve(promise=world.promise, tertial=Tertial(2026, 1), user=world.manager, reason=MARKER)
        world.log(world.patrol, 4, datetime.date(2026, 2, 4))  # and the figures change again
        tertial_approve(promise=world.promise, tertial=Tertial(2026, 1), user=world.municipal_manager)
        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
        kinds = set(Notification.objects.filter(sent_at__isnull=False).values_list("kind", flat=True))
        assert kinds == set(Notification.Kind.values)  # every kind of e-mail was sent
        assert any("Det gäller en rättelse (version 2)." in message.body for message in mail.outbox)
        for message in mail.outbox:
            assert MARKER not in message.subject
            assert MARKER not in message.body


def test_links_are_absolute_under_site_url(settings):
    settings.SITE_URL = "https://medborgarlofte.example.se"
    world = _with_emails(World(year=2022))
    tertial_approve(promise=world.promise, tertial=Tertial(2022, 1), user=world.manager)
    notifications_send()
    assert f"https://medborgarlofte.example.se/uppfoljning/?promise={world.promise.pk}&tertial=1" in mail.outbox[0].body
    assert "&amp;" not in mail.outbox[0].body  # plain text, not HTML-escaped


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise OSError("connection refused")


def test_a_failed_send_stays_pending_and_goes_out_next_run(settings):
    world = _with_emails(World(year=2022))
    tertial_approve(promise=world.promise, tertial=Tertial(2022, 1), user=world.manager)
    settings.EMAIL_BACKEND = "tests.followup.test_notifications.FailingBackend"
    approved = Notification.objects.filter(kind=Notification.Kind.APPROVED)
    with pytest.raises(CommandError, match="notifications could not be sent; they stay pending"):
        call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert approved.filter(sent_at__isnull=True).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert approved.filter(sent_at__isnull=True).count() == 0
    assert sorted(m.to[0] for m in mail.outbox if "godkänt" in m.subject) == [
        "municipal_manager2@example.se",
        "municipal_manager@example.se",
    ]


def test_command_refuses_to_print_emails_in_production(settings):
    settings.PRODUCTION = True
    settings.EMAIL_IS_CONFIGURED = False
    with pytest.raises(CommandError, match="EMAIL_URL"):
        call_command("send_notifications")
    assert mail.outbox == []


def test_tests_use_the_in_memory_outbox(settings):
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


def test_notification_once_per_kind_recipient_and_subject_is_a_database_constraint():
    from django.db import IntegrityError, transaction

    user = UserFactory(email="a@example.se")
    Notification.objects.create(kind=Notification.Kind.WEEKLY_DIGEST, recipient=user, subject_key="2026-W19")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(kind=Notification.Kind.WEEKLY_DIGEST, recipient=user, subject_key="2026-W19")
    promise = PromiseFactory(year=2023)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(kind=Notification.Kind.TERTIAL_ENDED, recipient=user, subject_key="x")
    Notification.objects.create(
        kind=Notification.Kind.TERTIAL_ENDED, recipient=user, subject_key="x", promise=promise, tertial=1
    )


@pytest.mark.parametrize("staff_count", [1, 10])
def test_collecting_the_digest_costs_the_same_whatever_the_number_of_staff(staff_count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with _at(WEDNESDAY):
        world = _with_emails(World(year=2026))
        for number in range(staff_count):
            UserFactory(organisation=world.municipality, role=roles.MUNICIPAL_STAFF, email=f"s{number}@example.se")
        with CaptureQueriesContext(connection) as queries:
            notifications_collect(today=WEDNESDAY)
    digests = Notification.objects.filter(kind=Notification.Kind.WEEKLY_DIGEST)
    assert digests.count() == 2 + staff_count  # clerk, clerk2 and the new staff
    assert len(queries) == 9
