"""Writes to promises: every change goes through a function here."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

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
    Area,
    AuditEvent,
    Commitment,
    ImportBatch,
    Organisation,
    Promise,
    PublishedTertial,
    Section,
    Target,
    TargetArea,
    User,
)
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
    municipality: str | None = None,
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
    obj.save()


@transaction.atomic
def structure_relation_set(*, obj: models.Model, name: str, wanted: list[models.Model]) -> bool:
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
ACTIVITY_AREA_NOT_USED = _("“%(type)s” is not followed up in %(area)s. Choose one of: %(areas)s.")
ACTIVITY_PUBLISHED_PERIOD = _(
    "%(tertial)s has been published. Only a manager can change entries in a published period."
)
ACTIVITY_QUANTITY_TOO_LARGE = _("At most %(max)s in one entry. Check the number, or split it into several entries.")
ACTIVITY_QUANTITY_TOO_SMALL = _("The quantity must be at least 1.")
ACTIVITY_FIRST_TIME_REQUIRED = _("Answer whether it was a first-time user.")
ACTIVITY_DURATION_REQUIRED = _("Give the duration in minutes.")
ACTIVITY_DURATION_TOO_SHORT = _(
    "A control shorter than %(min)s minutes does not count toward the promise and cannot be logged."
)
ACTIVITY_DESCRIPTION_REQUIRED = _("Describe the %(type)s.")
ACTIVITY_AREA_REQUIRED = _("Choose an area.")
ACTIVITY_DATE_REQUIRED = _("Give the date it was done.")
ACTIVITY_QUANTITY_REQUIRED = _("Give the quantity.")
ACTIVITY_TEXT_TOO_LONG = _("At most %(max)s characters.")
ACTIVITY_NOT_A_PARTY = _(
    "%(organisation)s has not signed the citizen promise of %(municipality)s %(year)s and can log only "
    "measures and meetings there, not “%(type)s”."
)
ACTIVITY_GONE = _("The entry has been deleted by someone else. Nothing was saved.")
ACTIVITY_NO_ORGANISATION = _("Your account belongs to no organisation; ask an administrator.")
TEXT_MAX_LENGTH = 2000


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
    promise_changed({activity.promise_id for activity in created})


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
            municipalities=[data.area.municipality] if data.area else [],
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


def _error(errors: Errors, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _check_promise(
    *, data: ActivityData, organisation: Organisation, user: User, context: ActivityContext, errors: Errors
) -> Promise | None:
    """Where and when: the area and date, the promise they fall in, who may log the type there."""
    activity_type = data.activity_type
    if data.area is None:
        _error(errors, "area", ACTIVITY_AREA_REQUIRED)
    if data.date is None:
        _error(errors, "date", ACTIVITY_DATE_REQUIRED)
    elif data.date > timezone.localdate():
        _error(errors, "date", ACTIVITY_DATE_IN_FUTURE)
    type_allowed = activity_type.pk in context.types_for(organisation.pk)
    if not type_allowed:
        _error(
            errors,
            "activity_type",
            ACTIVITY_TYPE_NOT_ALLOWED % {"organisation": organisation.name, "type": activity_type},
        )
    if data.area is None or data.date is None:
        return None
    promise = context.promise_for(municipality=data.area.municipality, year=data.date.year)
    if promise is None:
        _error(
            errors,
            "date",
            ACTIVITY_NO_ACTIVE_PROMISE % {"date": data.date.isoformat(), "municipality": data.area.municipality},
        )
        return None
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
        )
    allowed = context.areas_for(promise.pk, activity_type.pk)
    if data.area.pk not in allowed:
        _error(
            errors,
            "area",
            ACTIVITY_AREA_NOT_USED
            % {
                "type": activity_type,
                "area": data.area,
                "areas": ", ".join(sorted(context.area_names[pk] for pk in allowed)),
            },
        )
    if (promise.pk, Tertial.of(data.date).number) in context.published and not is_manager(user):
        _error(errors, "date", ACTIVITY_PUBLISHED_PERIOD % {"tertial": Tertial.of(data.date).label})
    return promise


def _check_quantities(*, data: ActivityData, errors: Errors) -> None:
    """The figures: the quantity and the type's own questions."""
    activity_type = data.activity_type
    if data.quantity is None:
        _error(errors, "quantity", ACTIVITY_QUANTITY_REQUIRED)
    elif data.quantity < 1:
        _error(errors, "quantity", ACTIVITY_QUANTITY_TOO_SMALL)
    elif data.quantity > activity_type.max_quantity:
        _error(errors, "quantity", ACTIVITY_QUANTITY_TOO_LARGE % {"max": activity_type.max_quantity})
    if activity_type.has_first_time_user and data.first_time_user is None:
        _error(errors, "first_time_user", ACTIVITY_FIRST_TIME_REQUIRED)
    if activity_type.has_duration:
        minimum = activity_type.min_duration_minutes or 1
        if data.duration_minutes is None:
            _error(errors, "duration_minutes", ACTIVITY_DURATION_REQUIRED)
        elif data.duration_minutes < minimum:
            _error(errors, "duration_minutes", ACTIVITY_DURATION_TOO_SHORT % {"min": minimum})


def _check_texts(*, data: ActivityData, errors: Errors) -> None:
    """The free text: a description where the type needs one, never too long, never a personnummer."""
    if data.activity_type.requires_description and not data.description.strip():
        _error(errors, "description", ACTIVITY_DESCRIPTION_REQUIRED % {"type": data.activity_type.name.lower()})
    for field in ("description", "note"):
        text = getattr(data, field)
        if len(text) > TEXT_MAX_LENGTH:
            _error(errors, field, ACTIVITY_TEXT_TOO_LONG % {"max": TEXT_MAX_LENGTH})
        try:
            validate_no_personal_identity_number(text)
        except ValidationError as exc:
            _error(errors, field, exc.messages[0])


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
        if context.promise_for(municipality=data.area.municipality, year=data.date.year) is not None:
            return context
    return ActivityContext.load(
        municipalities=[data.area.municipality] if data.area else [],
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
    of creating another. `context` is the rules' context the caller already loaded for the
    user's organisation (the form's); without it the service loads its own.
    """
    if submission_key is not None:
        existing = Activity.objects.filter(submission_key=submission_key, created_by=user).first()
        if existing is not None:
            return existing
    organisation = user.organisation
    if organisation is None:
        raise ValidationError(ACTIVITY_NO_ORGANISATION)
    try:
        with transaction.atomic():
            context = _context_for(data, organisation=organisation, context=context)
            promise = activity_check(data=data, organisation=organisation, user=user, context=context)
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
            promise_changed([activity.promise_id])
    except IntegrityError:
        # Two identical posts raced past the check above; the first one won.
        existing = Activity.objects.filter(submission_key=submission_key, created_by=user).first()
        if submission_key is None or existing is None:
            raise
        return existing
    return activity


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
    promise_changed([old_promise_id, current.promise_id])
    return current


@transaction.atomic
def activity_delete(*, activity: Activity, user: User) -> None:
    current = _activity_locked(activity)
    if not is_manager(user) and _period_published(promise=current.promise, day=current.date):
        raise ValidationError(ACTIVITY_PUBLISHED_PERIOD % {"tertial": Tertial.of(current.date).label})
    _audit_published_change(activity=current, user=user, change="delete", days=[current.date])
    current._history_user = user  # type: ignore[attr-defined]  # django-simple-history's per-instance attribute
    promise_changed([current.promise_id])
    current.delete()


def _check_many(
    *, user: User, rows: list[ActivityData]
) -> tuple[ActivityContext, list[Promise | None], dict[int, ValidationError]]:
    organisation = user.organisation
    if organisation is None:
        raise ValidationError(ACTIVITY_NO_ORGANISATION)
    context = ActivityContext.load(
        municipalities=sorted({data.area.municipality for data in rows if data.area}),
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
    *, user: User, rows: list[ActivityData], import_batch: ImportBatch | None = None
) -> tuple[list[Activity], dict[int, ValidationError]]:
    """Check and save many entries at once (an import): all of them, or none.

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
    reason = f"import {import_batch.pk}" if import_batch is not None else "bulk"
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


def tertial_lock(*, promise: Promise, tertial: int) -> None:
    """Record that a tertial of the promise is published: from now on only managers change its entries.

    Called by the follow-up's publishing inside its transaction; a correction locks nothing new.
    The promise gets a new revision: the rules' cached context (promises.selectors) is keyed on it.
    """
    PublishedTertial.objects.get_or_create(promise=promise, tertial=tertial)
    promise_changed([promise.pk])
