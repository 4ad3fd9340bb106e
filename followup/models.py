"""The tertial follow-up: managers' comments, the two-party approval, and published snapshots."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from followup import status
from promises.models import Organisation, Promise, Target, TertialNumber
from promises.validators import validate_no_personal_identity_number


class Status(models.TextChoices):
    """A target's status in a tertial: computed for measured targets, set by hand for qualitative ones.

    The values are the engine's (followup/status.py); this class adds the labels.
    """

    ACHIEVED = status.Status.ACHIEVED.value, _("Achieved")
    NOT_ACHIEVED = status.Status.NOT_ACHIEVED.value, _("Not achieved")
    ON_TRACK = status.Status.ON_TRACK.value, _("On track")
    AT_RISK = status.Status.AT_RISK.value, _("At risk")
    BEHIND = status.Status.BEHIND.value, _("Behind")
    NOT_STARTED = status.Status.NOT_STARTED.value, _("Not started")
    NOT_ASSESSED = status.Status.NOT_ASSESSED.value, _("Not assessed")
    NO_STATUS = status.Status.NO_STATUS.value, _("No status yet")


# What a year's outcome can be for a target whose status is set by hand.
FINAL_OUTCOMES = (Status.ACHIEVED, Status.NOT_ACHIEVED, Status.NOT_ASSESSED)


class TargetComment(models.Model):
    """A manager's analysis of one target in one tertial, and the measures decided."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="comments")
    tertial = models.PositiveSmallIntegerField(_("tertial"), choices=TertialNumber.choices)
    analysis = models.TextField(_("analysis"), blank=True, validators=[validate_no_personal_identity_number])
    measures = models.TextField(_("measures decided"), blank=True, validators=[validate_no_personal_identity_number])
    manual_status = models.CharField(
        _("status (qualitative targets)"), max_length=12, choices=Status.choices, blank=True
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target comment")
        verbose_name_plural = _("target comments")
        constraints = [
            models.UniqueConstraint(fields=["target", "tertial"], name="targetcomment_one_per_tertial"),
        ]

    def __str__(self) -> str:
        return f"{self.target} T{self.tertial}"


class Approval(models.Model):
    """One party's sign-off of a tertial. Publishing needs the police and the municipality."""

    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="approvals")
    tertial = models.PositiveSmallIntegerField(_("tertial"), choices=TertialNumber.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), auto_now_add=True)
    reason = models.TextField(_("reason for correction"), blank=True)
    # The figures this party saw. If they change before the other party approves, this
    # approval no longer counts: the parties must sign off on the same numbers.
    figures_sha256 = models.CharField(_("checksum of the figures"), max_length=64)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            # The same party approving twice is one approval, enforced by the database.
            models.UniqueConstraint(
                fields=["promise", "tertial", "version", "organisation"], name="approval_once_per_party"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="approval_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.promise} T{self.tertial} v{self.version}: {self.organisation}"


class Publication(models.Model):
    """A frozen snapshot of a tertial's follow-up, as the public sees it.

    Version 1 is the first publication; a correction is a new version with a reason. The
    snapshot is never updated: later changes to activities do not alter what was published.
    """

    promise = models.ForeignKey(Promise, on_delete=models.PROTECT, related_name="publications")
    tertial = models.PositiveSmallIntegerField(_("tertial"), choices=TertialNumber.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("published"))
    reason = models.TextField(_("reason for correction"), blank=True)
    snapshot = models.JSONField(_("snapshot"))

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["promise", "tertial", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["promise", "tertial", "version"], name="publication_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="publication_version_positive"),
            models.CheckConstraint(condition=Q(version=1) | ~Q(reason=""), name="publication_correction_needs_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.promise} T{self.tertial} v{self.version}"


class UserSettings(models.Model):
    """A user's own choices ("Mina inställningar"). A user without a row has the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_settings")
    weekly_digest = models.BooleanField(
        _("weekly e-mail about missing entries"),
        default=True,
        help_text=_("Once a week, the situation reports and meetings your organisation has not yet logged."),
    )

    class Meta:
        verbose_name = _("user settings")
        verbose_name_plural = _("user settings")

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    """One e-mail to one user, recorded so that it is never sent twice.

    Approval notices are queued by the approval (sent_at empty) and sent by the
    `send_notifications` command; the reminder that a tertial awaits approval and the weekly
    digest are created by the command itself. The subject key names what the notice is about
    (promise, tertial, version and approval; or the ISO week of a digest).
    """

    class Kind(models.TextChoices):
        APPROVED = "approved", _("The other party approved")
        APPROVAL_DROPPED = "approval_dropped", _("An approval was dropped")
        TERTIAL_ENDED = "tertial_ended", _("A tertial awaits approval")
        WEEKLY_DIGEST = "weekly_digest", _("Weekly digest of missing entries")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    subject_key = models.CharField(_("about"), max_length=100)
    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    tertial = models.PositiveSmallIntegerField(_("tertial"), choices=TertialNumber.choices, null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), null=True, blank=True)
    # The party that approved, or whose approval was dropped.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    published = models.BooleanField(_("the approval published the tertial"), default=False)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail notification")
        verbose_name_plural = _("e-mail notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "subject_key"], name="notification_once"),
            models.CheckConstraint(condition=~Q(subject_key=""), name="notification_has_subject_key"),
            models.CheckConstraint(
                condition=Q(kind="weekly_digest") | Q(promise__isnull=False, tertial__isnull=False),
                name="notification_tertial_notice_names_promise_and_tertial",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["approved", "approval_dropped"]) | Q(organisation__isnull=False),
                name="notification_approval_notice_names_party",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_key} → {self.recipient_id}"
