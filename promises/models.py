"""The promise as the parties sign it, and the activities staff log against it.

Activity data concerns police work, so it holds counts, dates, areas and flags only:
never a name or a personal identity number (free text is checked by validators).
"""

import uuid

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey
from simple_history.models import HistoricalRecords

from promises.validators import validate_no_personal_identity_number


class Municipality(models.Model):
    """One of Sweden's 290 municipalities, as SCB lists them (data/municipalities.csv, loaded
    by migration 0009). Promises and areas belong to one; its slug is its public address."""

    code = models.CharField(
        _("municipality code"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{4}$", _("A municipality code has four digits, e.g. 0680."))],
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    county = models.CharField(_("county"), max_length=100)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        MUNICIPALITY = "municipality", _("Municipality")
        HOUSING = "housing", _("Housing company")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # A police area such as Södra Vätterbygden serves several municipalities. Staff log only
    # in the promises of the municipalities their organisation serves.
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("municipalities served"),
        related_name="organisations",
        blank=True,
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in. Staff and managers belong to one organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Area(models.Model):
    """A geographic scope within a municipality, or the whole municipality itself."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="areas"
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    is_whole_municipality = models.BooleanField(
        _("whole municipality"),
        default=False,
        help_text=_("For activities that concern the whole municipality, such as SSG meetings."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Other names staff write for it ("Huskvarna södra"): an import matches them too. A list of
    # strings; unique within the municipality together with the names (promises.services).
    aliases = models.JSONField(_("aliases"), default=list, blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["municipality__name", "is_whole_municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="area_unique_name"),
            models.UniqueConstraint(fields=["municipality", "slug"], name="area_unique_slug"),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(is_whole_municipality=True),
                name="area_one_whole_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityType(models.Model):
    """What staff log, and which extra fields an entry of it needs."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Other names staff write for it ("ssg", "SSG-möten"): an import matches them too.
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisations that may log it"),
        related_name="activity_types",
        blank=True,
    )
    has_first_time_user = models.BooleanField(_("asks whether a first-time user"), default=False)
    has_duration = models.BooleanField(_("asks for duration"), default=False)
    min_duration_minutes = models.PositiveIntegerField(_("minimum duration (minutes)"), null=True, blank=True)
    requires_description = models.BooleanField(_("requires a description"), default=False)
    max_quantity = models.PositiveIntegerField(
        _("largest quantity in one entry"),
        default=50,
        help_text=_("Guards against typing errors such as 100 instead of 1."),
    )
    is_sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Concerns individuals (such as SIG cases): small numbers are never published exactly."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(max_quantity__gte=1), name="activitytype_max_quantity_positive"),
            models.CheckConstraint(
                condition=Q(min_duration_minutes__isnull=True) | Q(has_duration=True),
                name="activitytype_min_duration_needs_duration",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PromiseQuerySet(models.QuerySet):
    def public(self) -> "PromiseQuerySet":
        """Promises the public and the follow-up may show: every one that is no longer a draft.

        With the municipality joined: every page that shows a promise names it."""
        return self.exclude(status=Promise.Status.DRAFT).select_related("municipality")

    def active(self) -> "PromiseQuerySet":
        """Promises that accept new entries."""
        return self.filter(status=Promise.Status.ACTIVE)


class Promise(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="promises"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    parties = models.ManyToManyField(Organisation, verbose_name=_("parties"), related_name="promises")
    general_commitment = models.TextField(_("general commitment"))
    background = models.TextField(_("background"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    how_developed = models.TextField(_("how the promise was developed"), blank=True)
    followup_description = models.TextField(_("how it is followed up"), blank=True)
    signed_place = models.CharField(_("place of signing"), max_length=100, blank=True)
    signed_on = models.DateField(
        _("date of signing"),
        null=True,
        blank=True,
        help_text=_("Leave empty if the signed document gives no exact date."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_demo = models.BooleanField(
        _("demo"),
        default=False,
        help_text=_("Invented figures for demonstration (seed_demo): the public pages label the year as demo."),
    )
    # Replaced by a new random value whenever anything the follow-up shows changes
    # (promises/revisions.py): the dashboard caches its figures per revision, and a UUID never
    # comes back, not even after a restore.
    revision = models.UUIDField(default=uuid.uuid4, editable=False)
    # The activity rules' data of the promise (its targets' areas, its parties) is cached under
    # this one: replaced together with `revision`, except when only its entries change, which
    # changes figures, never rules, so logging an entry leaves the next one's rules cached.
    rules_revision = models.UUIDField(default=uuid.uuid4, editable=False)
    history = HistoricalRecords(excluded_fields=["revision", "rules_revision"])

    objects = PromiseQuerySet.as_manager()

    class Meta:
        verbose_name = _("citizen promise")
        verbose_name_plural = _("citizen promises")
        ordering = ["-year", "municipality__name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="promise_one_per_municipality_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="promise_year_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.municipality} {self.year})"


class Signatory(models.Model):
    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=200)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["promise", "organisation", "name"], name="signatory_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}"


class Section(models.Model):
    """A heading of the promise, such as "Polisiärt arbete"."""

    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["promise", "number"]
        constraints = [
            models.UniqueConstraint(fields=["promise", "number"], name="section_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="section_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Commitment(models.Model):
    """One numbered item of a section, in the words of the signed document."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="commitments")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))
    responsible = models.ManyToManyField(Organisation, verbose_name=_("responsible"), related_name="commitments")

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["section", "number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="commitment_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="commitment_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.section.number}.{self.number} {self.text[:60]}"

    @property
    def label(self) -> str:
        return f"{self.section.number}.{self.number}"


class Target(models.Model):
    """A measurable (or, for qualitative targets, followed-up) goal on a commitment."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Count")
        SHARE = "share", _("Share")
        CADENCE = "cadence", _("Cadence")
        QUALITATIVE = "qualitative", _("Qualitative")

    class Period(models.TextChoices):
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="targets")
    key = models.SlugField(
        _("key"), max_length=80, help_text=_("Stable identifier within the promise, used by the loader.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("short title"), max_length=200)
    activity_type = models.ForeignKey(
        ActivityType,
        verbose_name=_("activity type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
    )
    areas = models.ManyToManyField(Area, through="TargetArea", verbose_name=_("areas"), related_name="targets")
    count = models.PositiveIntegerField(_("at least (count)"), null=True, blank=True)
    share_percent = models.DecimalField(_("at least (percent)"), max_digits=5, decimal_places=2, null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("share of (count target)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares",
    )
    period = models.CharField(_("once every"), max_length=5, choices=Period.choices, blank=True)
    reading = models.TextField(
        _("how the text is read"),
        blank=True,
        help_text=_("Where the promise text is ambiguous, how this target interprets it."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["commitment__section__number", "commitment__number", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "key"], name="target_unique_key"),
            models.CheckConstraint(
                condition=~Q(kind="count") | Q(count__gte=1, activity_type__isnull=False),
                name="target_count_needs_type_and_positive_count",
                violation_error_message=_("A count target needs an activity type and a count of at least 1."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="share") | Q(share_percent__gt=0, share_percent__lte=100, parent__isnull=False),
                name="target_share_needs_parent_and_percent_in_range",
                violation_error_message=_(
                    "A share target needs the count target it is a share of, and a percentage above 0 and at most 100."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(kind="cadence") | (Q(activity_type__isnull=False) & ~Q(period="")),
                name="target_cadence_needs_type_and_period",
                violation_error_message=_("A cadence target needs an activity type and a period (week or month)."),
            ),
            models.CheckConstraint(
                condition=Q(kind="count") | Q(count__isnull=True),
                name="target_count_only_on_count",
                violation_error_message=_("Only count targets have a count."),
            ),
            models.CheckConstraint(
                condition=Q(kind="share") | Q(share_percent__isnull=True, parent__isnull=True),
                name="target_share_fields_only_on_share",
                violation_error_message=_("Only share targets have a percentage and a parent target."),
            ),
            models.CheckConstraint(
                condition=Q(kind="cadence") | Q(period=""),
                name="target_period_only_on_cadence",
                violation_error_message=_("Only cadence targets have a period."),
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="target_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.title


class TargetArea(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("target area")
        verbose_name_plural = _("target areas")
        constraints = [
            models.UniqueConstraint(fields=["target", "area"], name="targetarea_area_once_per_target"),
        ]

    def __str__(self) -> str:
        return str(self.area)


class TertialNumber(models.IntegerChoices):
    T1 = 1, _("T1 (January–April)")
    T2 = 2, _("T2 (May–August)")
    T3 = 3, _("T3 (September–December)")


class PublishedTertial(models.Model):
    """A tertial of a promise that has been published: staff may no longer change its entries.

    The follow-up's publishing writes it in the same transaction as the publication. It lives
    here so that the activity rules know the fact without depending on the follow-up.
    """

    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="published_tertials")
    tertial = models.PositiveSmallIntegerField(_("tertial"), choices=TertialNumber.choices)

    class Meta:
        verbose_name = _("published tertial")
        verbose_name_plural = _("published tertials")
        constraints = [
            models.UniqueConstraint(fields=["promise", "tertial"], name="published_tertial_once"),
            models.CheckConstraint(condition=Q(tertial__gte=1, tertial__lte=3), name="published_tertial_number"),
        ]

    def __str__(self) -> str:
        return f"{self.promise} T{self.tertial}"


class Activity(models.Model):
    """One logged entry: a count of something done, on a date, in an area."""

    promise = models.ForeignKey(
        Promise, verbose_name=_("citizen promise"), on_delete=models.PROTECT, related_name="activities"
    )
    activity_type = models.ForeignKey(
        ActivityType, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="activities"
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="activities")
    date = models.DateField(_("date"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    first_time_user = models.BooleanField(_("first-time user"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, validators=[validate_no_personal_identity_number])
    note = models.TextField(_("note"), blank=True, validators=[validate_no_personal_identity_number])
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="activities"
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="activities"
    )
    # The form's one-time key: the same form posted twice creates one entry, not two.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    import_batch = models.ForeignKey(
        "ImportBatch",
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "-pk"]
        permissions = [("view_all_activities", _("Can see the activities of every organisation"))]
        indexes = [
            # The follow-up aggregates one promise's activities by type, area and date, and sums
            # quantity and the first-time flag: with them in the index too, PostgreSQL answers
            # from the index alone (an index-only scan), never touching the table. Key columns
            # rather than INCLUDE, so SQLite gets the same covering index.
            models.Index(
                fields=["promise", "activity_type", "area", "date", "quantity", "first_time_user"],
                name="activity_figures_idx",
            ),
            models.Index(fields=["organisation", "date"], name="activity_org_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="activity_quantity_positive"),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gte=1),
                name="activity_duration_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_type} {self.area} {self.date} × {self.quantity}"


class ImportBatch(models.Model):
    """One uploaded file of activities, kept so the same file is not imported twice by mistake."""

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("checksum"), max_length=64, db_index=True)
    row_count = models.PositiveIntegerField(_("rows"))
    created_by = models.ForeignKey(User, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.row_count})"


class AuditEvent(models.Model):
    """Security-relevant events: who did what, when and from where.

    Never a password, a note or a description: only identifiers and counts go in `detail`.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        LOGOUT = "logout", _("Logged out")
        APPROVE = "approve", _("Approved a tertial")
        PUBLISH = "publish", _("Published a tertial")
        PUBLISHED_PERIOD_CHANGE = "published_change", _("Changed an entry in a published tertial")
        API_WRITE = "api_write", _("Logged entries through the API")
        API_TOKEN_CREATE = "api_token_create", _("Created an API token")
        API_TOKEN_REVOKE = "api_token_revoke", _("Revoked an API token")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("from where"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.username}"


API_TOKEN_EXPIRY_IN_PAST = _("The expiry date must be in the future.")


class ApiToken(AbstractAPIKey):
    """A key another system uses to report an organisation's activities through the API.

    djangorestframework-api-key generates it and keeps only its hash (the key is shown once,
    when an administrator creates it). Each token logs its entries under an account of its own
    that cannot log in (`user`), so the history and the audit log say which token wrote what.
    """

    # The library's fields again, as they are, with Swedish names and help for the admin.
    prefix = models.CharField(_("prefix"), max_length=8, unique=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    name = models.CharField(
        _("name"),
        max_length=50,
        blank=False,
        default=None,
        help_text=_("Which system uses the token, e.g. the police's case system. At most 50 characters."),
    )
    revoked = models.BooleanField(
        _("revoked"),
        blank=True,
        default=False,
        help_text=_("A revoked token no longer works. This cannot be undone."),
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    user = models.OneToOneField(
        User, verbose_name=_("logs as"), on_delete=models.PROTECT, related_name="api_token", editable=False
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    # The key itself, on the instance the admin has just created, to show it once; never stored.
    key_shown_once = ""

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def clean(self) -> None:
        super().clean()
        if self._state.adding and self.expiry_date is not None and self.expiry_date <= timezone.now():
            raise ValidationError({"expiry_date": API_TOKEN_EXPIRY_IN_PAST})


class IdempotencyRecord(models.Model):
    """The first result of an API request sent with an Idempotency-Key: the same key again
    (from the same organisation) returns it instead of saving the batch a second time."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey(ApiToken, on_delete=models.SET_NULL, null=True, related_name="+")
    key = models.CharField(_("key"), max_length=255)
    # SHA-256 of the request body, read and written again in a canonical form: the same key
    # with another body is refused, not answered with the first result.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="idempotency_key_once_per_organisation"),
        ]

    def __str__(self) -> str:
        return self.key
