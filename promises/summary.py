"""Keeping ActivitySummary in step with the activities.

Every write to an activity goes through here: the post_save/post_delete signals cover single
saves (forms, services, the admin, factories); bulk inserts (import, demo, benchmark) call
`summary_add_activities`. Increments are one INSERT ... ON CONFLICT DO UPDATE per bucket,
atomic in SQLite and PostgreSQL alike, so concurrent writers never lose a count.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from promises.models import Activity, ActivitySummary, Commitment, Promise, Section, Target, TargetArea

# (promise, type, area, year, month, iso_year, iso_week)
Bucket = tuple[int, int, int, int, int, int, int]

_SNAPSHOT_FIELDS = ("promise_id", "activity_type_id", "area_id", "date", "quantity", "first_time_user")


def _bucket(promise_id, activity_type_id, area_id, day) -> Bucket:
    iso = day.isocalendar()
    return (promise_id, activity_type_id, area_id, day.year, day.month, iso.year, iso.week)


def _contribution(values: tuple) -> tuple[Bucket, tuple[int, int, int]]:
    promise_id, type_id, area_id, day, quantity, first_time_user = values
    return _bucket(promise_id, type_id, area_id, day), (1, quantity, quantity if first_time_user else 0)


def _apply(deltas: dict[Bucket, list[int]]) -> None:
    changes = [(bucket, delta) for bucket, delta in deltas.items() if any(delta)]
    if not changes:
        return
    table = connection.ops.quote_name(ActivitySummary._meta.db_table)
    where = "promise_id = %s AND activity_type_id = %s AND area_id = %s AND year = %s AND month = %s AND iso_year = %s AND iso_week = %s"
    # Additions create their bucket if needed; removals only ever take back what an earlier
    # addition put there. They are separate statements because SQLite checks the CHECK
    # constraint on the row an upsert proposes, before it sees the conflict.
    additions = [(*bucket, *delta) for bucket, delta in changes if min(delta) >= 0]
    removals = [(*delta, *bucket) for bucket, delta in changes if min(delta) < 0]
    with transaction.atomic(), connection.cursor() as cursor:
        if additions:
            cursor.executemany(
                f"INSERT INTO {table} (promise_id, activity_type_id, area_id, year, month, iso_year, iso_week, "
                "entries, total, flagged) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (promise_id, activity_type_id, area_id, year, month, iso_year, iso_week) DO UPDATE SET "
                f"entries = {table}.entries + excluded.entries, total = {table}.total + excluded.total, "
                f"flagged = {table}.flagged + excluded.flagged",
                additions,
            )
        if removals:
            cursor.executemany(
                f"UPDATE {table} SET entries = entries + %s, total = total + %s, flagged = flagged + %s WHERE {where}",
                removals,
            )


def promises_touch(promise_ids: Iterable[int]) -> None:
    """Mark what the follow-up shows of these promises as changed (see Promise.revision)."""
    ids = {pk for pk in promise_ids if pk is not None}
    if ids:
        Promise.objects.filter(pk__in=ids).update(revision=F("revision") + 1)


def _add(deltas: dict, values: tuple, sign: int) -> None:
    bucket, (entries, total, flagged) = _contribution(values)
    delta = deltas.setdefault(bucket, [0, 0, 0])
    delta[0] += sign * entries
    delta[1] += sign * total
    delta[2] += sign * flagged


def _values(activity: Activity) -> tuple:
    return tuple(getattr(activity, name) for name in _SNAPSHOT_FIELDS)


def summary_add_activities(activities: Iterable[Activity]) -> None:
    """Count activities saved in bulk (bulk_create sends no signals)."""
    deltas: dict[Bucket, list[int]] = {}
    for activity in activities:
        _add(deltas, _values(activity), +1)
        activity._summary_values = _values(activity)
    _apply(deltas)
    promises_touch(bucket[0] for bucket in deltas)


_BUCKET_FIELDS = ("promise_id", "activity_type_id", "area_id", "year", "month", "iso_year", "iso_week")


def _recomputed():
    """The summary's rows as the database computes them from the activities."""
    from django.db.models import Count, Q, Sum
    from django.db.models.functions import Coalesce, ExtractIsoYear, ExtractMonth, ExtractWeek, ExtractYear

    return (
        Activity.objects.values(
            "promise_id",
            "activity_type_id",
            "area_id",
            year=ExtractYear("date"),
            month=ExtractMonth("date"),
            iso_year=ExtractIsoYear("date"),
            iso_week=ExtractWeek("date"),
        )
        .annotate(
            entries=Count("id"),
            total=Sum("quantity"),
            flagged=Coalesce(Sum("quantity", filter=Q(first_time_user=True)), 0),
        )
        .order_by()
    )


def summary_rebuild() -> int:
    """Recompute the whole summary from the activities (after a restore or a manual SQL fix)."""
    with transaction.atomic():
        ActivitySummary.objects.all().delete()
        summaries = [ActivitySummary(**row) for row in _recomputed()]
        ActivitySummary.objects.bulk_create(summaries, batch_size=2000)
    return len(summaries)


def summary_matches_activities() -> bool:
    """Whether the summary equals a recomputation from the raw activities."""
    fields = (*_BUCKET_FIELDS, "entries", "total", "flagged")
    kept = set(ActivitySummary.objects.filter(entries__gt=0).values_list(*fields))
    recomputed = {tuple(row[name] for name in fields) for row in _recomputed()}
    # Emptied buckets stay as rows of zeros; anything else left over is drift.
    leftovers = ActivitySummary.objects.filter(entries=0).exclude(total=0, flagged=0).exists()
    return kept == recomputed and not leftovers


@receiver(post_init, sender=Activity, dispatch_uid="summary_remember")
def _remember(sender, instance: Activity, **kwargs) -> None:
    # What this activity contributes now, so a later save can move it from its old bucket.
    instance._summary_values = _values(instance) if instance.pk else None


@receiver(post_save, sender=Activity, dispatch_uid="summary_save")
def _saved(sender, instance: Activity, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    deltas: dict[Bucket, list[int]] = {}
    before = getattr(instance, "_summary_values", None)
    if before is not None and not created:
        _add(deltas, before, -1)
    after = _values(instance)
    _add(deltas, after, +1)
    _apply(deltas)
    # Always, also when no sum changed: a measure's description is shown too.
    promises_touch([instance.promise_id, before[0] if before else None])
    instance._summary_values = after


@receiver(post_delete, sender=Activity, dispatch_uid="summary_delete")
def _deleted(sender, instance: Activity, **kwargs) -> None:
    before = getattr(instance, "_summary_values", None) or _values(instance)
    deltas: dict[Bucket, list[int]] = {}
    _add(deltas, before, -1)
    _apply(deltas)
    promises_touch([before[0]])


@receiver(post_save, sender=Target, dispatch_uid="touch_target_save")
@receiver(post_delete, sender=Target, dispatch_uid="touch_target_delete")
@receiver(post_save, sender=TargetArea, dispatch_uid="touch_targetarea_save")
@receiver(post_delete, sender=TargetArea, dispatch_uid="touch_targetarea_delete")
@receiver(post_save, sender=Commitment, dispatch_uid="touch_commitment_save")
@receiver(post_delete, sender=Commitment, dispatch_uid="touch_commitment_delete")
@receiver(post_save, sender=Section, dispatch_uid="touch_section_save")
@receiver(post_delete, sender=Section, dispatch_uid="touch_section_delete")
def _structure_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    promise_id = {
        Target: lambda: (
            Commitment.objects.filter(pk=instance.commitment_id).values_list("section__promise_id", flat=True).first()
        ),
        TargetArea: lambda: (
            Target.objects.filter(pk=instance.target_id)
            .values_list("commitment__section__promise_id", flat=True)
            .first()
        ),
        Commitment: lambda: Section.objects.filter(pk=instance.section_id).values_list("promise_id", flat=True).first(),
        Section: lambda: instance.promise_id,
    }[sender]()
    promises_touch([promise_id])
