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
