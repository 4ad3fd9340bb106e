"""E-mail notifications: who is told what, and sending each notice exactly once.

- When one party approves a tertial, the other parties' managers are told (`approved`).
- When an approval is dropped because the figures changed, every party's managers are told
  (`approval_dropped`).
- When a tertial of an active promise has ended and is not published, the managers of the
  parties that have not approved it are reminded once (`tertial_ended`).
- Once a week, staff who log activities get their organisation's missing cadence entries
  (the start page's "Att göra nu", `promises.selectors.cadence_due`), unless they turned the
  digest off on "Mina inställningar" (`weekly_digest`).

The approval service queues its notices in its own transaction (a `Notification` with no
`sent_at`); `manage.py send_notifications` creates the reminders that are due and sends
everything pending. The unique (kind, recipient, subject key) constraint makes queueing and
collecting idempotent, and a notice is marked sent in the transaction that sends it, so it
is never sent twice (see README, "Notifications by e-mail").

An e-mail carries names, labels and links only: never a note, a description, a comment, a
reason or any figure; a sensitive activity type appears by its name alone.
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from followup.models import Approval, Notification, Publication, UserSettings
from promises.models import Promise, User
from promises.periods import Tertial, period_label, week_of
from promises.permissions import is_manager, is_staff_member
from promises.selectors import DueItem, cadence_due

logger = logging.getLogger(__name__)

Kind = Notification.Kind


# --- Who ---------------------------------------------------------------------------------


def _has_perm_q(codename: str) -> Q:
    """Users who hold a promises permission through a group, directly, or as superusers (as has_perm)."""
    return (
        Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label="promises")
        | Q(user_permissions__codename=codename, user_permissions__content_type__app_label="promises")
        | Q(is_superuser=True)
    )


def _reachable() -> QuerySet[User]:
    return User.objects.filter(is_active=True, organisation__isnull=False).exclude(email="")


def party_managers(*, promise: Promise) -> QuerySet[User]:
    """Managers of the promise's parties who have an e-mail address."""
    return (
        _reachable()
        .filter(_has_perm_q("view_all_activities"), organisation__in=promise.parties.all())
        .distinct()
        .order_by("pk")
    )


def receives_digest(user: User) -> bool:
    """Staff who log activities get the weekly digest; managers are told about approvals instead."""
    return is_staff_member(user) and not is_manager(user)


def digest_recipients() -> QuerySet[User]:
    """Staff (not managers) with an e-mail address who have not turned the digest off."""
    managers = User.objects.filter(_has_perm_q("view_all_activities"))
    return (
        _reachable()
        .filter(_has_perm_q("add_activity"))
        .exclude(pk__in=managers)
        .exclude(user_settings__weekly_digest=False)
        .distinct()
        .order_by("organisation_id", "pk")
    )


# --- Settings ----------------------------------------------------------------------------


def user_settings_for(*, user: User) -> UserSettings:
    """The user's settings, or the defaults (unsaved) for a user who never changed them."""
    return UserSettings.objects.filter(user=user).first() or UserSettings(user=user)


@transaction.atomic
def user_settings_save(*, user: User, weekly_digest: bool) -> UserSettings:
    user_settings = user_settings_for(user=user)
    user_settings.weekly_digest = weekly_digest
    user_settings.full_clean()
    user_settings.save()
    return user_settings


# --- Queueing and collecting -------------------------------------------------------------


def _tertial_key(promise_id: int, tertial: int) -> str:
    return f"promise-{promise_id}/T{tertial}"


def _approval_key(approval: Approval) -> str:
    return f"{_tertial_key(approval.promise_id, approval.tertial)}/v{approval.version}/approval-{approval.pk}"


def _week_key(day: date) -> str:
    iso_year, week = week_of(day)
    return f"{iso_year}-W{week:02d}"


def _approval_notice(kind: str, user: User, approval: Approval, *, published: bool = False) -> Notification:
    return Notification(
        kind=kind,
        recipient=user,
        subject_key=_approval_key(approval),
        promise_id=approval.promise_id,
        tertial=approval.tertial,
        version=approval.version,
        organisation_id=approval.organisation_id,
        published=published,
    )


def notifications_queue_approval(
    *, promise: Promise, approval: Approval | None, outdated: list[Approval], published: bool
) -> int:
    """Queue the notices of one approval; called by `tertial_approve` inside its transaction.

    The other parties' managers hear of the approval; every party's managers hear of each
    approval dropped because the figures changed. Queueing the same approval twice (a second
    click) adds nothing. Returns how many notices were queued.
    """
    rows = []
    if approval is not None:
        others = party_managers(promise=promise).exclude(organisation=approval.organisation_id)
        rows += [_approval_notice(Kind.APPROVED, user, approval, published=published) for user in others]
    managers = list(party_managers(promise=promise)) if outdated else []
    rows += [_approval_notice(Kind.APPROVAL_DROPPED, user, dropped) for dropped in outdated for user in managers]
    # The constraint drops what is already queued; every field is set by this function.
    return len(Notification.objects.bulk_create(rows, ignore_conflicts=True))


def _awaiting_approval(*, today: date) -> list[tuple[Promise, Tertial]]:
    """Ended tertials of active promises that have no publication yet."""
    promises = list(Promise.objects.active().filter(year__lte=today.year))
    published = set(Publication.objects.filter(promise__in=promises).values_list("promise_id", "tertial"))
    return [
        (promise, tertial)
        for promise in promises
        for tertial in (Tertial(promise.year, number) for number in (1, 2, 3))
        if tertial.end < today and (promise.pk, tertial.number) not in published
    ]


def notifications_collect(*, today: date) -> int:
    """Create the reminders due today (idempotent): tertials awaiting approval, this week's digest."""
    rows = []
    for promise, tertial in _awaiting_approval(today=today):
        approved = Approval.objects.filter(promise=promise, tertial=tertial.number).values("organisation_id")
        rows += [
            Notification(
                kind=Kind.TERTIAL_ENDED,
                recipient=user,
                subject_key=_tertial_key(promise.pk, tertial.number),
                promise=promise,
                tertial=tertial.number,
            )
            for user in party_managers(promise=promise).exclude(organisation__in=approved)
        ]
    if today.isoweekday() >= settings.NOTIFICATION_DIGEST_WEEKDAY:
        due = _DueByOrganisation(today)
        rows += [
            Notification(kind=Kind.WEEKLY_DIGEST, recipient=user, subject_key=_week_key(today))
            for user in digest_recipients()
            if due.for_user(user)
        ]
    return len(Notification.objects.bulk_create(rows, ignore_conflicts=True))


# --- Sending -----------------------------------------------------------------------------


@dataclass
class _DueByOrganisation:
    """The missing cadence entries depend only on the organisation: computed once for each."""

    today: date
    cache: dict[int | None, list[DueItem]] = field(default_factory=dict)

    def for_user(self, user: User) -> list[DueItem]:
        if user.organisation_id not in self.cache:
            self.cache[user.organisation_id] = cadence_due(user=user, today=self.today)
        return self.cache[user.organisation_id]


@dataclass
class SendReport:
    sent: int = 0
    skipped: int = 0  # no longer due: the recipient left, the tertial was published, the entry logged
    failed: int = 0


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _dashboard_url(notification: Notification) -> str:
    return _url(reverse("followup:dashboard") + f"?promise={notification.promise_id}&tertial={notification.tertial}")


def _digest_items(due: list[DueItem]) -> list[dict]:
    """The digest's lines. A sensitive type is named and nothing more: no area, no period."""
    items, named = [], set()
    for item in due:
        activity_type = item.target.activity_type
        assert activity_type is not None, "cadence_due only returns targets of a type"
        if activity_type.is_sensitive:
            if activity_type.pk not in named:
                named.add(activity_type.pk)
                items.append({"name": activity_type.name, "sensitive": True, "url": _url(reverse("home"))})
            continue
        items.append(
            {
                "name": activity_type.name,
                "area": item.area.name,
                "period": item.period_label,
                "url": _url(reverse("activity_log", args=[activity_type.code]) + f"?omrade={item.area.pk}"),
            }
        )
    return items


# Translated when sent, in the site's language (Swedish).
SUBJECTS: dict[str, str] = {
    Kind.APPROVED: gettext_noop("%(organisation)s has approved %(tertial)s"),
    Kind.APPROVAL_DROPPED: gettext_noop("The approval of %(tertial)s by %(organisation)s was dropped"),
    Kind.TERTIAL_ENDED: gettext_noop("%(tertial)s has ended and awaits your approval"),
    Kind.WEEKLY_DIGEST: gettext_noop("Entries missing this week (%(week)s)"),
}
SUBJECT_PUBLISHED = gettext_noop("%(tertial)s is published: %(organisation)s has approved it")


def _message(notification: Notification, *, today: date, due: _DueByOrganisation) -> EmailMessage | None:
    """The e-mail of a notice, or None when it is no longer due."""
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        return None
    context: dict = {"settings_url": _url(reverse("my_settings"))}
    if notification.kind == Kind.WEEKLY_DIGEST:
        if notification.subject_key != _week_key(today) or not receives_digest(recipient):
            return None
        if not user_settings_for(user=recipient).weekly_digest:
            return None
        items = _digest_items(due.for_user(recipient))
        if not items:
            return None
        week = period_label(week_of(today), "week")
        context |= {"items": items, "week": week, "start_url": _url(reverse("home"))}
        subject_values = {"week": week}
    else:
        promise = notification.promise
        # notification_tertial_notice_names_promise_and_tertial: a notice of a tertial names both.
        assert promise is not None, "a tertial notice names its promise"
        assert notification.tertial is not None, "a tertial notice names its tertial"
        tertial = Tertial(promise.year, notification.tertial)
        if (
            notification.kind == Kind.TERTIAL_ENDED
            and Publication.objects.filter(promise=promise, tertial=tertial.number).exists()
        ):
            return None
        organisation = notification.organisation.name if notification.organisation else ""
        context |= {
            "promise": promise.title,
            "municipality": promise.municipality.name,
            "tertial": tertial.label,
            "organisation": organisation,
            "version": notification.version,
            "published": notification.published,
            "dashboard_url": _dashboard_url(notification),
        }
        subject_values = {"tertial": tertial.label, "organisation": organisation}
    template = SUBJECT_PUBLISHED if notification.published else SUBJECTS[notification.kind]
    subject = _(template) % subject_values
    body = render_to_string(f"email/{notification.kind}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[recipient.email])


def notifications_send(*, today: date | None = None) -> SendReport:
    """Send every pending notice, each in its own transaction, marked sent as it goes.

    A notice whose e-mail fails stays pending for the next run; one that is no longer due is
    removed. The row is locked while it is sent, so two runs at once never send it twice
    (on PostgreSQL; on SQLite run one at a time, as cron with flock does).
    """
    today = today or timezone.localdate()
    report = SendReport()
    due = _DueByOrganisation(today)
    pending = list(Notification.objects.filter(sent_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        for pk in pending:
            try:
                with transaction.atomic():
                    notification = (
                        Notification.objects.select_for_update(skip_locked=True)
                        .filter(pk=pk, sent_at__isnull=True)
                        .first()
                    )
                    if notification is None:
                        continue
                    message = _message(notification, today=today, due=due)
                    if message is None:
                        notification.delete()
                        report.skipped += 1
                        continue
                    message.send()
                    notification.sent_at = timezone.now()
                    notification.save(update_fields=["sent_at"])
                    report.sent += 1
            except (SMTPException, OSError):
                logger.exception("Notification %s could not be sent; it stays pending", pk)
                report.failed += 1
    return report
