"""Writes to promises: every change goes through a function here."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from promises.audit import audit_record
from promises.models import (
    Activity,
    ActivityType,
    ApiToken,
    Area,
    AuditEvent,
    Commitment,
    IdempotencyRecord,
    ImportBatch,
    Municipality,
    Organisation,
    Promise,
    PublishedTertial,
    Section,
    Target,
    TargetArea,
    User,
)
from promises.names import casefolded
from promises.periods import Tertial
from promises.permissions import is_manager
from promises.revisions import promise_changed
from promises.selectors import ActivityContext
from promises.validators import validate_no_personal_identity_number

PROMISE_YEAR_TAKEN = _("A promise for %(municipality)s %(year)s already exists.")


class PromiseCopyError(Exception):
    pass


def promise_copy_to_year(*, promise: Promise, year: int) -> Promise:
    """Start next year's promise as a draft copy: same parties, sections, commitments, targets.

    Signatories and the signing date are left out: the new promise is signed anew.
    """
    return promise_copy(promise=promise, year=year)


@transaction.atomic
def promise_copy(
    *,
    promise: Promise,
    year: int,
    municipality: Municipality | None = None,
    area_for: Callable[[Area], Area] | None = None,
    status: str = Promise.Status.DRAFT,
) -> Promise:
    """Copy a promise's structure to another year (or municipality, with `area_for` mapping
    each target area to the new municipality's)."""
    municipality = municipality or promise.municipality
    if Promise.objects.filter(municipality=municipality, year=year).exists():
        raise PromiseCopyError(PROMISE_YEAR_TAKEN % {"municipality": municipality, "year": year})
    copy = Promise(
        municipality=municipality,
        year=year,
        title=promise.title.replace(str(promise.year), str(year)),
        general_commitment=promise.general_commitment.replace(str(promise.year), str(year)),
        background=promise.background,
        purpose=promise.purpose,
        how_developed=promise.how_developed,
        followup_description=promise.followup_description,
        signed_place=promise.signed_place,
        status=status,
    )
    copy.full_clean()
    copy.save()
    copy.parties.set(promise.parties.all())
    new_targets: dict[int, Target] = {}
    targets = (
        Target.objects.filter(commitment__section__promise=promise)
        .select_related("commitment__section")
        .prefetch_related("areas")
        .order_by(F("parent_id").asc(nulls_first=True), "pk")  # count targets before their shares
    )
    sections: dict[int, Section] = {}
    commitments: dict[int, Commitment] = {}
    for section in promise.sections.all():
        sections[section.pk] = Section.objects.create(promise=copy, number=section.number, title=section.title)
    for commitment in Commitment.objects.filter(section__promise=promise).prefetch_related("responsible"):
        new_commitment = Commitment.objects.create(
            section=sections[commitment.section_id], number=commitment.number, text=commitment.text
        )
        new_commitment.responsible.set(commitment.responsible.all())
        commitments[commitment.pk] = new_commitment
    for target in targets:
        new = Target(
            commitment=commitments[target.commitment_id],
            key=target.key,
            order=target.order,
            kind=target.kind,
            title=target.title,
            activity_type_id=target.activity_type_id,
            count=target.count,
            share_percent=target.share_percent,
            parent=new_targets.get(target.parent_id) if target.parent_id is not None else None,
            period=target.period,
            reading=target.reading,
        )
        new.full_clean()
        new.save()
        target_areas_set(target=new, areas=[area_for(area) if area_for else area for area in target.areas.all()])
        new_targets[target.pk] = new
    return copy


# --- Structure ----------------------------------------------------------------------------


@transaction.atomic
def structure_save(*, obj: models.Model) -> None:
    """Save one row of a promise's structure or its reference data (organisation, area,
    activity type, promise, signatory, section, commitment, target), checked first."""
    obj.full_clean()
    if isinstance(obj, Area | ActivityType):
        aliases_check(obj=obj)
    obj.save()


ALIASES_NOT_A_LIST = _("Write the aliases as a list of names.")
ALIAS_TAKEN = _("“%(alias)s” is already a name of %(other)s. Every name and alias must be unique.")


def _aliases_tidy(aliases: list[str]) -> list[str]:
    tidy: list[str] = []
    for alias in aliases:
        alias = " ".join(alias.split())
        if alias and casefolded(alias) not in {casefolded(a) for a in tidy}:
            tidy.append(alias)
    return tidy


def _names_taken(obj: Area | ActivityType) -> dict[str, Area | ActivityType]:
    """Every name, code and alias of the other areas of the municipality (or the other types)."""
    others: list[Area] | list[ActivityType]
    if isinstance(obj, Area):
        others = list(Area.objects.filter(municipality_id=obj.municipality_id).exclude(pk=obj.pk))
    else:
        others = list(ActivityType.objects.exclude(pk=obj.pk))
    taken: dict[str, Area | ActivityType] = {}
    for other in others:
        for name in [other.name, getattr(other, "code", ""), *(other.aliases or [])]:
            if isinstance(name, str) and name:
                taken.setdefault(casefolded(name), other)
    return taken


def aliases_check(*, obj: Area | ActivityType) -> None:
    """An area's or an activity type's aliases, tidied (trimmed, each once), and refused when
    one is already a name, code or alias of another area of the municipality (or another
    activity type): an import must know which one a name means."""
    if not isinstance(obj.aliases, list) or not all(isinstance(alias, str) for alias in obj.aliases):
        raise ValidationError({"aliases": ALIASES_NOT_A_LIST})
    obj.aliases = _aliases_tidy(obj.aliases)
    if not obj.aliases:
        return
    taken = _names_taken(obj)
    for alias in obj.aliases:
        if casefolded(alias) in taken:
            raise ValidationError({"aliases": ALIAS_TAKEN % {"alias": alias, "other": taken[casefolded(alias)]}})


@transaction.atomic
def structure_relation_set(*, obj: models.Model, name: str, wanted: Sequence[models.Model]) -> bool:
    """Set a many-to-many relation (a promise's parties, a type's organisations); whether it changed."""
    manager = getattr(obj, name)
    if set(manager.all()) == set(wanted):
        return False
    manager.set(wanted)
    return True


@transaction.atomic
def target_areas_set(*, target: Target, areas: list[Area]) -> bool:
    """Set the areas a target counts in; whether they changed. The follow-up's figures of
    the promise move with them."""
    current = set(target.areas.all())
    if current == set(areas):
        return False
    TargetArea.objects.filter(target=target).exclude(area__in=areas).delete()
    TargetArea.objects.bulk_create([TargetArea(target=target, area=area) for area in areas if area not in current])
    _structure_changed(promise_ids=[target.commitment.section.promise_id])
    return True


# --- Activities -------------------------------------------------------------------------

ACTIVITY_DATE_IN_FUTURE = _("The date is in the future. Log what has been done, on the day it was done.")
ACTIVITY_NO_ACTIVE_PROMISE = _("No active citizen promise covers %(date)s in %(municipality)s.")
ACTIVITY_TYPE_NOT_ALLOWED = _("%(organisation)s does not log “%(type)s”.")
ACTIVITY_PROMISE_CLOSED = _("The citizen promise %(year)s is closed: its entries can no longer be deleted.")
ACTIVITY_PUBLISHED_PERIOD = _(
    "%(tertial)s has been published. Only a manager can change entries in a published period."
)
# A form's key is a fresh UUID: another user's only by forging it.
ACTIVITY_SUBMISSION_KEY_TAKEN = _("This form has already been sent. Open the form again to log a new entry.")
ACTIVITY_QUANTITY_TOO_LARGE = _("At most %(max)s in one entry. Check the number, or split it into several entries.")
ACTIVITY_QUANTITY_TOO_SMALL = _("The quantity must be at least 1.")
ACTIVITY_FIRST_TIME_REQUIRED = _("Answer whether it was a first-time user.")
ACTIVITY_DURATION_REQUIRED = _("Give the duration in minutes.")
ACTIVITY_DURATION_TOO_SHORT = _(
    "A control shorter than %(min)s minutes does not count toward the promise and cannot be logged."
)
ACTIVITY_DURATION_TOO_LONG = _("At most %(max)s minutes in one entry. Check the number.")
ACTIVITY_DESCRIPTION_REQUIRED = _("Describe the %(type)s.")
ACTIVITY_AREA_REQUIRED = _("Choose an area.")
ACTIVITY_DATE_REQUIRED = _("Give the date it was done.")
ACTIVITY_QUANTITY_REQUIRED = _("Give the quantity.")
ACTIVITY_TEXT_TOO_LONG = _("At most %(max)s characters.")
ACTIVITY_TEXT_NUL = _("The text contains a NUL character, which cannot be saved. Remove it.")
ACTIVITY_NOT_A_PARTY = _(
    "%(organisation)s has not signed the citizen promise of %(municipality)s %(year)s and can log only "
    "measures and meetings there, not “%(type)s”."
)
ACTIVITY_NOT_SERVED = _(
    "%(organisation)s does not work in %(municipality)s. Choose an area in a municipality your organisation "
    "serves, or ask an administrator to add %(municipality)s to it."
)
ACTIVITY_GONE = _("The entry has been deleted by someone else. Nothing was saved.")
ACTIVITY_NO_ORGANISATION = _("Your account belongs to no organisation; ask an administrator.")
TEXT_MAX_LENGTH = 2000
DURATION_MAX_MINUTES = 24 * 60  # a day; also keeps a mistyped number within the database's integers


@dataclass
class ActivityData:
    """What a form or an import row says about one entry, before it is checked.

    A value the form could not read is None: the rules report it as missing and check
    everything else, so one round shows every mistake.
    """

    activity_type: ActivityType
    area: Area | None
    date: date | None
    quantity: int | None = 1
    first_time_user: bool | None = None
    duration_minutes: int | None = None
    description: str = ""
    note: str = ""


def _figures_changed(*, created: Sequence[Activity] = ()) -> None:
    """Bulk-created entries change their promises' figures: new revisions after commit
    (promises/revisions.py). The figures themselves are read from the activities."""
    promise_changed({activity.promise_id for activity in created}, rules=False)


def _structure_changed(*, promise_ids: list[int]) -> None:
    """A change of a promise's structure (target areas): a new revision after commit."""
    promise_changed(promise_ids)


def _period_published(*, promise: Promise, day: date) -> bool:
    return PublishedTertial.objects.filter(promise=promise, tertial=Tertial.of(day).number).exists()


def _audit_published_change(
    *, activity: Activity, user: User, change: str, days: list[date], context: ActivityContext | None = None
) -> None:
    """A manager changed an entry in a published tertial: the audit log says who, what, when."""
    if context is not None:
        published = [d for d in days if (activity.promise_id, Tertial.of(d).number) in context.published]
    else:
        published = [d for d in days if _period_published(promise=activity.promise, day=d)]
    if published:
        audit_record(
            action=AuditEvent.Action.PUBLISHED_PERIOD_CHANGE,
            user=user,
            change=change,
            activity=activity.pk,
            activity_type=activity.activity_type.code,
            tertials=sorted({Tertial.of(d).label for d in published}),
        )


def activity_check(
    *, data: ActivityData, organisation: Organisation, user: User, context: ActivityContext | None = None
) -> Promise:
    """Check an entry against every rule of the promise; return the promise it counts toward.

    Every rule runs whatever the others found (area, date, quantity, the type's own questions
    and the free text are checked independently), and the ValidationError is keyed by field:
    forms show each message next to its field, imports report it with the row, all in one
    round. `context` lets an import check many rows with a fixed number of queries.
    """
    if context is None:
        context = ActivityContext.load(
            municipalities=[data.area.municipality_id] if data.area else [],
            years=[data.date.year] if data.date else [],
        )
    errors: dict[str, list] = {}
    promise = _check_promise(data=data, organisation=organisation, user=user, context=context, errors=errors)
    _check_quantities(data=data, errors=errors)
    _check_texts(data=data, errors=errors)
    if errors:
        raise ValidationError(errors)
    assert promise is not None, "_check_promise returns None only after recording an error"
    return promise


# The rule groups of activity_check, each adding its messages by field without looking at the others'.
Errors = dict[str, list]


def _error(errors: Errors, field: str, message, code: str | None) -> None:
    """A message for a field, with a code for machines (the API's error bodies)."""
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _check_promise(
    *, data: ActivityData, organisation: Organisation, user: User, context: ActivityContext, errors: Errors
) -> Promise | None:
    """Where and when: the area and date, the promise they fall in, who may log the type there."""
    activity_type = data.activity_type
    if data.area is None:
        _error(errors, "area", ACTIVITY_AREA_REQUIRED, "required")
    if data.date is None:
        _error(errors, "date", ACTIVITY_DATE_REQUIRED, "required")
    elif data.date > timezone.localdate():
        _error(errors, "date", ACTIVITY_DATE_IN_FUTURE, "date_in_future")
    type_allowed = activity_type.pk in context.types_for(organisation.pk)
    if not type_allowed:
        _error(
            errors,
            "activity_type",
            ACTIVITY_TYPE_NOT_ALLOWED % {"organisation": organisation.name, "type": activity_type},
            "type_not_allowed",
        )
    if data.area is None or data.date is None:
        return None
    promise = context.promise_for(municipality=data.area.municipality_id, year=data.date.year)
    if promise is None and "date" in errors:
        return None  # a date in the future: one message is enough, and it says what to do
    if promise is None:
        _error(
            errors,
            "date",
            ACTIVITY_NO_ACTIVE_PROMISE % {"date": data.date.isoformat(), "municipality": data.area.municipality},
            "no_active_promise",
        )
        return None
    _check_in_promise(
        data=data,
        day=data.date,
        promise=promise,
        organisation=organisation,
        user=user,
        context=context,
        errors=errors,
        type_allowed=type_allowed,
    )
    return promise


def _check_in_promise(
    *,
    data: ActivityData,
    day: date,
    promise: Promise,
    organisation: Organisation,
    user: User,
    context: ActivityContext,
    errors: Errors,
    type_allowed: bool,
) -> None:
    """Within the promise the area and date fall in: the organisation serves its municipality,
    takes part with this type, and the period is still open."""
    activity_type = data.activity_type
    if not context.serves(organisation_id=organisation.pk, municipality_id=promise.municipality_id):
        _error(
            errors,
            "area",
            ACTIVITY_NOT_SERVED % {"organisation": organisation.name, "municipality": promise.municipality},
            "municipality_not_served",
        )
        return
    if type_allowed and not context.takes_part(
        promise_id=promise.pk, organisation_id=organisation.pk, type_id=activity_type.pk
    ):
        _error(
            errors,
            "activity_type",
            ACTIVITY_NOT_A_PARTY
            % {
                "organisation": organisation.name,
                "municipality": promise.municipality,
                "year": promise.year,
                "type": activity_type,
            },
            "not_a_party",
        )
    # Any area of the promise's municipality is accepted (the promise is the one of the area's
    # municipality): what happened is logged where it happened. Whether it counts toward a
    # target is the follow-up's business (activity_counted_by, followup's outside_totals).
    if (promise.pk, Tertial.of(day).number) in context.published and not is_manager(user):
        _error(errors, "date", ACTIVITY_PUBLISHED_PERIOD % {"tertial": Tertial.of(day).label}, "published_period")


def _check_quantities(*, data: ActivityData, errors: Errors) -> None:
    """The figures: the quantity and the type's own questions."""
    activity_type = data.activity_type
    if data.quantity is None:
        _error(errors, "quantity", ACTIVITY_QUANTITY_REQUIRED, "required")
    elif data.quantity < 1:
        _error(errors, "quantity", ACTIVITY_QUANTITY_TOO_SMALL, "too_small")
    elif data.quantity > activity_type.max_quantity:
        _error(errors, "quantity", ACTIVITY_QUANTITY_TOO_LARGE % {"max": activity_type.max_quantity}, "too_large")
    if activity_type.has_first_time_user and data.first_time_user is None:
        _error(errors, "first_time_user", ACTIVITY_FIRST_TIME_REQUIRED, "required")
    if activity_type.has_duration:
        minimum = activity_type.min_duration_minutes or 1
        if data.duration_minutes is None:
            _error(errors, "duration_minutes", ACTIVITY_DURATION_REQUIRED, "required")
        elif data.duration_minutes < minimum:
            _error(errors, "duration_minutes", ACTIVITY_DURATION_TOO_SHORT % {"min": minimum}, "too_short")
        elif data.duration_minutes > DURATION_MAX_MINUTES:
            _error(errors, "duration_minutes", ACTIVITY_DURATION_TOO_LONG % {"max": DURATION_MAX_MINUTES}, "too_large")


def _check_texts(*, data: ActivityData, errors: Errors) -> None:
    """The free text: a description where the type needs one, never too long, never a personnummer."""
    if data.activity_type.requires_description and not data.description.strip():
        _error(
            errors, "description", ACTIVITY_DESCRIPTION_REQUIRED % {"type": data.activity_type.name.lower()}, "required"
        )
    for field in ("description", "note"):
        text = getattr(data, field)
        if len(text) > TEXT_MAX_LENGTH:
            _error(errors, field, ACTIVITY_TEXT_TOO_LONG % {"max": TEXT_MAX_LENGTH}, "too_long")
        if "\x00" in text:  # PostgreSQL stores no NUL in text; the form refuses it too
            _error(errors, field, ACTIVITY_TEXT_NUL, "null_character")
        try:
            validate_no_personal_identity_number(text)
        except ValidationError as exc:
            _error(errors, field, exc.messages[0], exc.error_list[0].code)


def activity_fields(data: ActivityData) -> dict:
    """The entry's fields, with the answers to questions its type does not ask dropped."""
    activity_type = data.activity_type
    return {
        "activity_type": activity_type,
        "area": data.area,
        "date": data.date,
        "quantity": data.quantity,
        "first_time_user": data.first_time_user if activity_type.has_first_time_user else None,
        "duration_minutes": data.duration_minutes if activity_type.has_duration else None,
        "description": data.description.strip(),
        "note": data.note.strip(),
    }


# full_clean() leaves out what the rules have just checked against rows read in the same
# transaction (the related rows exist; quantity and duration are in bounds, which the
# database's constraints keep too): each would cost a query.
CHECKED_BY_THE_RULES = ["submission_key", "promise", "activity_type", "area", "organisation", "created_by"]


def _context_for(
    data: ActivityData, *, organisation: Organisation, context: ActivityContext | None = None
) -> ActivityContext:
    """The rules' context for one entry: the one the caller loaded for this organisation (the
    form's, so a request loads it once), else only the promise its area and date can count toward.

    A promise outside the caller's context (one the organisation may not log on at all) is
    looked up, so the entry gets the rules' own message, not "no active promise".
    """
    if context is not None and context.organisation_id in (None, organisation.pk):
        if data.area is None or data.date is None:
            return context
        if context.promise_for(municipality=data.area.municipality_id, year=data.date.year) is not None:
            return context
    return ActivityContext.load(
        municipalities=[data.area.municipality_id] if data.area else [],
        years=[data.date.year] if data.date else [],
    )


def activity_create(
    *,
    user: User,
    data: ActivityData,
    submission_key: uuid.UUID | None = None,
    context: ActivityContext | None = None,
) -> Activity:
    """Log one entry for the user's organisation.

    The rules run here, once, inside the transaction that saves. With a submission key the
    call is idempotent: a form posted twice returns the entry the first post created instead
    of creating another. The database's unique submission key is the guard, so a first post
    pays no query for it: a second one fails its insert, or the rules if they have changed
    meanwhile, and then finds the first one's entry. `context` is the rules' context the
    caller already loaded for the user's organisation (the form's); without it the service
    loads its own.
    """
    organisation = user.organisation
    if organisation is None:
        raise ValidationError(ACTIVITY_NO_ORGANISATION)
    try:
        with transaction.atomic():
            context = _context_for(data, organisation=organisation, context=context)
            try:
                promise = activity_check(data=data, organisation=organisation, user=user, context=context)
            except ValidationError:
                existing = _submitted(submission_key, user)
                if existing is None:
                    raise
                return existing
            activity = Activity(
                promise=promise,
                organisation=organisation,
                created_by=user,
                submission_key=submission_key,
                **activity_fields(data),
            )
            activity.full_clean(exclude=CHECKED_BY_THE_RULES, validate_unique=False, validate_constraints=False)
            # Who, in the audit trail, also outside a request.
            activity._history_user = user  # type: ignore[attr-defined]  # django-simple-history's per-instance attribute
            activity.save()
            _audit_published_change(
                activity=activity, user=user, change="create", days=[activity.date], context=context
            )
            promise_changed([activity.promise_id], rules=False)
    except IntegrityError:
        # The same form posted again (a double click, the back button): the first post's entry.
        existing = _submitted(submission_key, user)
        if existing is None and submission_key is not None:
            raise ValidationError(ACTIVITY_SUBMISSION_KEY_TAKEN) from None
        if existing is None:
            raise
        return existing
    return activity


def _submitted(submission_key: uuid.UUID | None, user: User) -> Activity | None:
    """The entry a form with this key already created, if any."""
    if submission_key is None:
        return None
    return Activity.objects.filter(submission_key=submission_key, created_by=user).first()


def _activity_locked(activity: Activity) -> Activity:
    """The entry as it is now in the database, locked until the transaction ends.

    Callers hold a copy read earlier (a form opened minutes ago); changing that copy could
    undo another user's change, or bring a deleted entry back (save() falls back to INSERT).
    """
    current = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("promise", "activity_type", "organisation")
        .filter(pk=activity.pk)
        .first()
    )
    if current is None:
        raise ValidationError(ACTIVITY_GONE)
    return current


@transaction.atomic
def activity_update(
    *, activity: Activity, user: User, data: ActivityData, context: ActivityContext | None = None
) -> Activity:
    """Correct an entry. Both the old and the new date must be open to this user.

    `context`: the rules' context the caller loaded for the entry's organisation, if any."""
    current = _activity_locked(activity)
    context = _context_for(data, organisation=current.organisation, context=context)
    errors: dict[str, list] = {}
    if not is_manager(user) and _period_published(promise=current.promise, day=current.date):
        errors["date"] = [ACTIVITY_PUBLISHED_PERIOD % {"tertial": Tertial.of(current.date).label}]
    try:
        promise = activity_check(data=data, organisation=current.organisation, user=user, context=context)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    if errors:
        raise ValidationError(errors)
    old_date, old_promise_id = current.date, current.promise_id
    for field, value in activity_fields(data).items():
        setattr(current, field, value)
    current.promise = promise
    current.full_clean(exclude=CHECKED_BY_THE_RULES, validate_unique=False, validate_constraints=False)
    current._history_user = user  # type: ignore[attr-defined]  # django-simple-history's per-instance attribute
    current.save()
    _audit_published_change(activity=current, user=user, change="update", days=[old_date, current.date])
    promise_changed([old_promise_id, current.promise_id], rules=False)
    return current


@transaction.atomic
def activity_delete(*, activity: Activity, user: User) -> None:
    current = _activity_locked(activity)
    # As a change is refused (no active promise covers its date), so is a deletion: a closed
    # year's figures are its outcome.
    if current.promise.status != Promise.Status.ACTIVE:
        raise ValidationError(ACTIVITY_PROMISE_CLOSED % {"year": current.promise.year})
    if not is_manager(user) and _period_published(promise=current.promise, day=current.date):
        raise ValidationError(ACTIVITY_PUBLISHED_PERIOD % {"tertial": Tertial.of(current.date).label})
    _audit_published_change(activity=current, user=user, change="delete", days=[current.date])
    current._history_user = user  # type: ignore[attr-defined]  # django-simple-history's per-instance attribute
    promise_changed([current.promise_id], rules=False)
    current.delete()


def _check_many(
    *, user: User, rows: list[ActivityData]
) -> tuple[ActivityContext, list[Promise | None], dict[int, ValidationError]]:
    organisation = user.organisation
    if organisation is None:
        raise ValidationError(ACTIVITY_NO_ORGANISATION)
    context = ActivityContext.load(
        municipalities=sorted({data.area.municipality_id for data in rows if data.area}),
        years=sorted({data.date.year for data in rows if data.date}),
    )
    promises: list[Promise | None] = []
    errors: dict[int, ValidationError] = {}
    for index, data in enumerate(rows):
        try:
            promises.append(activity_check(data=data, organisation=organisation, user=user, context=context))
        except ValidationError as exc:
            promises.append(None)
            errors[index] = exc
    return context, promises, errors


def activity_check_many(*, user: User, rows: list[ActivityData]) -> dict[int, ValidationError]:
    """Check many entries (an import's preview) against one context; the errors by row index."""
    return _check_many(user=user, rows=rows)[2]


@transaction.atomic
def activity_create_many(
    *,
    user: User,
    rows: list[ActivityData],
    import_batch: ImportBatch | None = None,
    change_reason: str | None = None,
) -> tuple[list[Activity], dict[int, ValidationError]]:
    """Check and save many entries at once (an import, an API batch): all of them, or none.

    The rules run once per row against one context loaded for the whole batch, inside the
    transaction. Returns the entries, or (saving nothing) the errors by row index.
    """
    context, promises, errors = _check_many(user=user, rows=rows)
    activities = [
        Activity(
            promise=promise,
            organisation=user.organisation,
            created_by=user,
            import_batch=import_batch,
            **activity_fields(data),
        )
        for data, promise in zip(rows, promises, strict=True)
    ]
    if errors:
        transaction.set_rollback(True)
        return [], errors
    reason = change_reason or (f"import {import_batch.pk}" if import_batch is not None else "bulk")
    bulk_create_with_history(activities, Activity, batch_size=2000, default_user=user, default_change_reason=reason)
    _figures_changed(created=activities)
    published = sorted(
        {Tertial.of(a.date).label for a in activities if (a.promise_id, Tertial.of(a.date).number) in context.published}
    )
    if published:
        audit_record(
            action=AuditEvent.Action.PUBLISHED_PERIOD_CHANGE,
            user=user,
            change="import",
            import_batch=import_batch.pk if import_batch is not None else None,
            rows=len(activities),
            tertials=published,
        )
    return activities, errors


# --- API tokens and entries through the API -------------------------------------------------

API_IDEMPOTENCY_KEY_REUSED = _(
    "This Idempotency-Key has already been used for a different request. Send new entries with a new key."
)


class IdempotencyKeyReused(Exception):
    """The same Idempotency-Key came back with another body: neither saved nor answered with the first result."""


@transaction.atomic
def api_token_create(
    *, organisation: Organisation, name: str, expiry_date: datetime | None = None, created_by: User | None = None
) -> tuple[ApiToken, str]:
    """A new API token for an organisation, and its key: shown this once, kept only as a hash.

    The token logs its entries as an account of its own that cannot log in (no password,
    inactive), so history and audit log name the token; it may log what its organisation may.
    """
    token = ApiToken(organisation=organisation, name=name, expiry_date=expiry_date, created_by=created_by)
    key = ApiToken.objects.assign_key(token)
    token.full_clean(exclude=["user"])
    account = User(
        username=f"api-{token.prefix}", first_name="API", last_name=name, organisation=organisation, is_active=False
    )
    account.set_unusable_password()
    account.full_clean()
    account.save()
    token.user = account
    token.save()
    audit_record(
        action=AuditEvent.Action.API_TOKEN_CREATE,
        user=created_by,
        token=token.name,
        prefix=token.prefix,
        organisation=organisation.short_name,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: User | None = None) -> bool:
    """Revoke a token for good; whether it was in use until now."""
    current = ApiToken.objects.select_for_update().select_related("organisation").get(pk=token.pk)
    if current.revoked:
        return False
    current.revoked = True
    current.save(update_fields=["revoked"])
    token.revoked = True
    audit_record(
        action=AuditEvent.Action.API_TOKEN_REVOKE,
        user=user,
        token=current.name,
        prefix=current.prefix,
        organisation=current.organisation.short_name,
    )
    return True


def api_token_used(*, token: ApiToken) -> None:
    """Note when a token was last used (the admin shows it), at most once a minute: a busy
    system's every request need not write."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < timedelta(minutes=1):
        return
    token.last_used_at = now
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


@dataclass
class ApiWrite:
    """What an API write answers: its status and body, and whether it is a stored first result."""

    status: int
    body: dict
    replayed: bool = False


def api_replay(*, token: ApiToken, key: str, fingerprint: str) -> ApiWrite | None:
    """The stored first result of a request with this Idempotency-Key from the token's
    organisation, if there is one; IdempotencyKeyReused if it was sent with another body."""
    record = IdempotencyRecord.objects.filter(organisation_id=token.organisation_id, key=key).first()
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(API_IDEMPOTENCY_KEY_REUSED)
    return ApiWrite(status=record.status_code, body=record.response, replayed=True)


def activity_create_by_api(
    *, token: ApiToken, rows: list[ActivityData], idempotency_key: str | None = None, fingerprint: str = ""
) -> tuple[ApiWrite | None, dict[int, ValidationError]]:
    """Save a batch sent through the API for the token's organisation: all of it, or nothing.

    The rules are the form's and the import's (activity_create_many). With an Idempotency-Key,
    the result is stored with the entries in the same transaction (the database allows a key
    once per organisation), and the same key again returns it without saving anything; with
    another body (`fingerprint`) it raises IdempotencyKeyReused. A batch the rules refuse stores
    no result, so its corrected version may be sent with the same key. Returns the answer, or
    None and the errors by row index.
    """
    if idempotency_key is not None:
        replay = api_replay(token=token, key=idempotency_key, fingerprint=fingerprint)
        if replay is not None:
            return replay, {}
    try:
        with transaction.atomic():
            record = None
            if idempotency_key is not None:
                # First, so that a concurrent request with the same key waits here for this one.
                record = IdempotencyRecord.objects.create(
                    organisation_id=token.organisation_id,
                    token=token,
                    key=idempotency_key,
                    fingerprint=fingerprint,
                    status_code=201,
                )
            activities, errors = activity_create_many(user=token.user, rows=rows, change_reason=f"api {token.prefix}")
            if errors:
                transaction.set_rollback(True)
                return None, errors
            body = {"created": len(activities), "ids": [activity.pk for activity in activities]}
            if record is not None:
                record.response = body
                record.save(update_fields=["response"])
            audit_record(
                action=AuditEvent.Action.API_WRITE,
                user=token.user,
                token=token.name,
                prefix=token.prefix,
                organisation=token.organisation.short_name,
                rows=len(activities),
                idempotency_key=idempotency_key or "",
            )
    except IntegrityError:
        # A concurrent request with the same key committed first: its result, not a second batch.
        replay = (
            api_replay(token=token, key=idempotency_key, fingerprint=fingerprint)
            if idempotency_key is not None
            else None
        )
        if replay is None:
            raise
        return replay, {}
    return ApiWrite(status=201, body=body), {}


def tertial_lock(*, promise: Promise, tertial: int) -> None:
    """Record that a tertial of the promise is published: from now on only managers change its entries.

    Called by the follow-up's publishing inside its transaction; a correction locks nothing new.
    The promise gets a new revision: the rules' cached context (promises.selectors) is keyed on it.
    """
    PublishedTertial.objects.get_or_create(promise=promise, tertial=tertial)
    promise_changed([promise.pk])
