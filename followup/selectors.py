"""Reads for the follow-up: every figure, in a fixed number of queries.

Every figure the follow-up shows (the dashboard, a target's page, the printed report, the
snapshot both parties sign and so the public pages and open data) comes from the functions
here, which aggregate the activities themselves: there is no second copy of them to drift.
The database groups one promise's activities by activity type, area and month (or day, for
cadence), reading only the covering index `activity_figures_idx`, so the rows returned depend
on the promise's targets and the calendar, never on the number of activities.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from followup import engine
from followup.engine import Coverage, DailyTotal, MonthTotals, TargetResult, TargetSpec, target_result, year_is_over
from followup.models import FINAL_OUTCOMES, Approval, Publication, Status, TargetComment
from medborgarlofte.cache import cache_get_or_compute
from promises.models import Activity, ActivityType, Area, Commitment, Promise, Section, Target, User
from promises.periods import Tertial, period_of, tertials
from promises.selectors import promise_current, promises_for_user


@dataclass
class FollowupRow:
    section: Section
    commitment: Commitment
    target: Target
    result: TargetResult
    comment: TargetComment | None
    published: dict | None  # this target's figures in the latest publication of the tertial

    @property
    def changed_since_publication(self) -> bool:
        if self.published is None:
            return False
        return (self.published.get("outcome"), self.published.get("year_to_date")) != (
            self.result.outcome,
            self.result.year_to_date,
        )


def followup_as_of(*, tertial: Tertial, today: date | None = None) -> date:
    """The day the figures are counted to: today while the tertial runs, else its last day."""
    today = today or timezone.localdate()
    return min(today, tertial.end)


def default_tertial(*, promise: Promise, today: date | None = None) -> Tertial:
    """The running tertial for this year's promise, the last one for a past year."""
    today = today or timezone.localdate()
    if today.year == promise.year:
        return Tertial.of(today)
    return Tertial(promise.year, 3 if today.year > promise.year else 1)


def month_totals(*, promise: Promise) -> MonthTotals:
    """The promise's quantities summed per activity type, area and month (and the flagged part).

    One query, answered from the covering index (promise, type, area, date, quantity, flag).
    """
    rows = (
        Activity.objects.filter(promise=promise)
        .values("activity_type_id", "area_id", month=ExtractMonth("date"))
        .annotate(sum_total=Sum("quantity"), sum_flagged=Sum("quantity", filter=Q(first_time_user=True)))
        .order_by()
    )
    return {(r["activity_type_id"], r["area_id"], r["month"]): (r["sum_total"], r["sum_flagged"] or 0) for r in rows}


def coverage(
    *, promise: Promise, type_ids: set[int], periods: tuple[str, ...] = ("week", "month")
) -> dict[str, Coverage]:
    """For each (type, area): the ISO weeks and the months that have at least one entry.

    One query for the distinct days with an entry (at most 366 per type and area); the
    calendar (promises/periods.py) turns the days into weeks and months. `periods`: only
    these are filled in (the others stay empty), for a caller whose targets use only one:
    the days of a million activities are a few thousand, each turned into its period here.
    """
    weeks: Coverage = {}
    months: Coverage = {}
    if not type_ids:
        return {"week": weeks, "month": months}
    rows = (
        Activity.objects.filter(promise=promise, activity_type_id__in=type_ids)
        .values_list("activity_type_id", "area_id", "date")
        .distinct()
        .order_by()
    )
    by_week, by_month = "week" in periods, "month" in periods
    # The same few hundred days come back for every type and area: each is turned into its
    # week and month once.
    periods_of: dict[date, tuple[tuple[int, int], tuple[int, int]]] = {}
    for type_id, area_id, day in rows:
        if day not in periods_of:
            periods_of[day] = (period_of(day, "week"), period_of(day, "month"))
        week, month = periods_of[day]
        if by_week:
            weeks.setdefault((type_id, area_id), set()).add(week)
        if by_month:
            months.setdefault((type_id, area_id), set()).add(month)
    return {"week": weeks, "month": months}


def promise_targets(*, promise: Promise) -> list[Target]:
    return list(
        Target.objects.filter(commitment__section__promise=promise)
        .select_related("commitment__section", "activity_type")  # a share's parent is read by its id
        .prefetch_related("areas")
        .order_by("commitment__section__number", "commitment__number", "order", "pk")
    )


def _spec(target: Target) -> TargetSpec:
    return TargetSpec(
        id=target.pk,
        kind=target.kind,
        activity_type_id=target.activity_type_id,
        area_ids=tuple(sorted(area.pk for area in target.areas.all())),
        count=target.count,
        share_percent=target.share_percent,
        period=target.period,
    )


@dataclass
class FollowupBasis:
    """What a tertial's follow-up reads besides the entries: the promise's targets (with their
    commitment, section, activity type and areas), the names of its municipality's areas, the
    activity types whose entries are measures, and the tertial's comments, publications and
    the approvals of its next version."""

    targets: list[Target]
    specs: dict[int, TargetSpec]  # what the engine reads of each target, by target
    area_names: dict[int, str]
    measure_type_ids: list[int]
    comments: dict[int, TargetComment]  # by target
    publications: list[Publication]  # newest first
    approvals: list[Approval]  # of the next version, the one waiting to be published

    @property
    def next_version(self) -> int:
        return self.publications[0].version + 1 if self.publications else 1


def _comments(targets: list[Target], tertial: int) -> dict[int, TargetComment]:
    return {
        c.target_id: c
        for c in TargetComment.objects.filter(target__in=targets, tertial=tertial)
        .select_related("updated_by")
        .defer("updated_by__password")  # kept in the cache (followup_basis_cached): no password hash there
    }


def followup_basis(*, promise: Promise, tertial: Tertial) -> FollowupBasis:
    """The tertial's basis from the database, in seven queries."""
    targets = promise_targets(promise=promise)
    publications = list(Publication.objects.filter(promise=promise, tertial=tertial.number).order_by("-version"))
    basis = FollowupBasis(
        targets=targets,
        specs={target.pk: _spec(target) for target in targets},
        area_names=dict(Area.objects.filter(municipality=promise.municipality_id).values_list("pk", "name")),
        measure_type_ids=list(ActivityType.objects.filter(requires_description=True).values_list("pk", flat=True)),
        comments=_comments(targets, tertial.number),
        publications=publications,
        approvals=[],
    )
    basis.approvals = approvals_for(promise=promise, tertial=tertial.number, version=basis.next_version)
    return basis


# Raise it when FollowupBasis, or what it is read with, changes: a shared cache outlives a deploy.
BASIS_VERSION = 1
BASIS_TIMEOUT = 60 * 60 * 24


def followup_basis_cached(*, promise: Promise, tertial: Tertial) -> FollowupBasis:
    """The tertial's basis, cached under the promise's rules revision (promises/revisions.py).

    Every change but an entry gives the promise a new rules revision: its targets and their
    areas, its municipality's areas, the activity types, a comment, an approval, a
    publication. A logged entry does not, so the first dashboard after an entry recomputes
    the figures from the entries without reading the rest again (it costs about as much).
    For reading views only: a service that changes something and then computes figures in the
    same transaction (the revision moves after the commit) reads `followup_basis`.
    """
    key = _basis_key(promise, tertial)
    basis = cache.get(key)
    if basis is None:
        basis = followup_basis(promise=promise, tertial=tertial)
        cache.set(key, basis, BASIS_TIMEOUT)
    return basis


def followup_basis_warm(*, promise_id: int, tertial: int) -> None:
    """Read a tertial's basis afresh and cache it under the promise's current rules revision.

    The follow-up's own writes (a comment, an approval, a publication) run it once they have
    committed and the revision has moved (followup/services.py). So the one who changes the
    basis, a few times a tertial, pays its eight queries, and the next manager to open the
    dashboard reads only the entries again, as after a logged entry. A reader that comes
    first computes the same basis under the same key: nothing is ever read stale from it.
    """
    promise = Promise.objects.get(pk=promise_id)
    period = Tertial(promise.year, tertial)
    cache.set(_basis_key(promise, period), followup_basis(promise=promise, tertial=period), BASIS_TIMEOUT)


# A change of something every promise shows (a municipality, an organisation) moves the
# revisions of hundreds of promises: their readers read their basis again, one by one.
WARM_AT_MOST = 5


def followup_basis_warm_on_commit(*, promise_ids: Iterable[int | None], tertials: Iterable[int] = (1, 2, 3)) -> None:
    """Warm the basis of these promises' tertials once the current transaction commits.

    Called after `promise_changed` by the writes that change a basis (a comment, an approval,
    a publication, the admin's changes of targets and areas): callbacks run in the order they
    were registered, so the new rules revision is written when the basis is read and cached
    under it. Robust: the change has committed, and a cache or a read that fails here must not
    turn it into an error page (it is logged, and the next reader reads the basis itself).
    """
    ids = sorted({pk for pk in promise_ids if pk is not None})
    if not ids or len(ids) > WARM_AT_MOST:
        return
    numbers = tuple(tertials)

    def warm() -> None:
        for promise_id in ids:
            for number in numbers:
                followup_basis_warm(promise_id=promise_id, tertial=number)

    transaction.on_commit(warm, robust=True)


def _basis_key(promise: Promise, tertial: Tertial) -> str:
    return f"followup-basis:v{BASIS_VERSION}:{promise.pk}:{promise.rules_revision}:{tertial.number}"


def latest_publication(*, promise: Promise, tertial: int) -> Publication | None:
    return Publication.objects.filter(promise=promise, tertial=tertial).order_by("-version").first()


def followup_is_final(*, tertial: Tertial, as_of: date | None = None, today: date | None = None) -> bool:
    """Whether the figures are the year's outcome: T3 counted to its end, looked at after 31 December."""
    today = today or timezone.localdate()
    as_of = as_of or followup_as_of(tertial=tertial, today=today)
    return as_of >= tertial.end and year_is_over(tertial, today)


def followup_rows(
    *,
    promise: Promise,
    tertial: Tertial,
    as_of: date | None = None,
    basis: FollowupBasis | None = None,
    totals: MonthTotals | None = None,
) -> list[FollowupRow]:
    """One row per target of the promise, with its result in the tertial (final once the year is over).

    What the caller has read already is not read again: `basis`, the targets, comments and
    publications (a reading view has them from the cache: followup_basis_cached); `totals`,
    the month totals (the dashboard's outside totals are summed from them too).
    """
    as_of = as_of or followup_as_of(tertial=tertial)
    final = followup_is_final(tertial=tertial, as_of=as_of)
    if basis is not None:
        targets, specs = basis.targets, basis.specs
    else:
        targets = promise_targets(promise=promise)
        specs = {target.pk: _spec(target) for target in targets}
    totals = month_totals(promise=promise) if totals is None else totals
    cadence = [t for t in targets if t.kind == Target.Kind.CADENCE and t.activity_type_id is not None]
    covered = coverage(
        promise=promise,
        type_ids={t.activity_type_id for t in cadence if t.activity_type_id is not None},
        periods=tuple({t.period for t in cadence}),
    )
    if basis is not None:
        comments = basis.comments
        publication = basis.publications[0] if basis.publications else None
    else:
        comments = _comments(targets, tertial.number)
        publication = latest_publication(promise=promise, tertial=tertial.number)
    published = {t["id"]: t for t in publication.snapshot.get("targets", [])} if publication else {}
    rows = []
    for target in targets:
        spec = specs[target.pk]
        comment = comments.get(target.pk)
        result = target_result(
            spec,
            parent=specs.get(target.parent_id) if target.parent_id is not None else None,
            totals=totals,
            coverage=covered.get(target.period, {}),
            tertial=tertial,
            as_of=as_of,
            manual_status=comment.manual_status if comment else None,
            risk_threshold=settings.FOLLOWUP_RISK_THRESHOLD,
            final=final,
        )
        rows.append(
            FollowupRow(
                section=target.commitment.section,
                commitment=target.commitment,
                target=target,
                result=result,
                comment=comment,
                published=published.get(target.pk),
            )
        )
    return rows


def approvals_for(*, promise: Promise, tertial: int, version: int) -> list[Approval]:
    return list(
        Approval.objects.filter(promise=promise, tertial=tertial, version=version)
        .select_related("organisation", "approved_by")
        .defer("approved_by__password")  # cached with the dashboard: no password hash in the cache
    )


def logged_measures(*, promise: Promise, tertial: Tertial, basis: FollowupBasis | None = None):
    """Measures and analyses logged in the tertial, for the managers' follow-up.

    The types come first, as plain ids (from `basis` when the caller has it): with them
    PostgreSQL reads only those types' entries from the covering index. Joined to the types
    instead, it fetches every entry of the tertial from the table to find the few that need a
    description (12 ms of the dashboard at a million activities, for none).
    """
    if basis is not None:
        type_ids = basis.measure_type_ids
    else:
        type_ids = list(ActivityType.objects.filter(requires_description=True).values_list("pk", flat=True))
    return (
        Activity.objects.filter(
            promise=promise,
            activity_type_id__in=type_ids,
            date__gte=tertial.start,
            date__lte=tertial.end,
        )
        .select_related("activity_type", "area", "organisation")
        .order_by("date", "pk")
    )


def target_daily_totals(*, target: Target, promise: Promise) -> list[DailyTotal]:
    """Per day of the year: the summed quantity (and the flagged part) in the target's areas."""
    source = target.parent if target.kind == Target.Kind.SHARE and target.parent else target
    return list(
        Activity.objects.filter(promise=promise, activity_type_id=source.activity_type_id, area__in=source.areas.all())
        .values("date")
        .annotate(total=Sum("quantity"), flagged=Sum("quantity", filter=Q(first_time_user=True)))
        .order_by("date")
    )


def target_area_totals(*, target: Target, promise: Promise, until: date) -> list[dict]:
    """Year to date per area of the target (areas without entries included, as zero)."""
    source = target.parent if target.kind == Target.Kind.SHARE and target.parent else target
    totals = dict(
        Activity.objects.filter(
            promise=promise, activity_type_id=source.activity_type_id, area__in=source.areas.all(), date__lte=until
        )
        .values_list("area__name")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return [{"area": area.name, "total": totals.get(area.name, 0)} for area in sorted(source.areas.all(), key=str)]


@dataclass(frozen=True)
class OutsideTotal:
    area: str
    total: int


def outside_totals(
    *,
    promise: Promise,
    until: date,
    totals: MonthTotals | None = None,
    basis: FollowupBasis | None = None,
) -> dict[int, list[OutsideTotal]]:
    """Per activity type a count target of the promise follows: what was logged of it, up to
    `until`, in areas no target of the promise counts it in (by area, largest first).

    The follow-up's figures leave these entries out, the pages show them beside the figures
    ("Dessutom 140 i Huskvarna, som inget mål räknar"). Summed from the month totals the
    figures come from, so both count to the same day: to the end of `until`'s month, which is
    `until` itself since no entry is dated after today (the services refuse it). A caller that
    has the totals or the basis passes them, and nothing is read again.
    """
    totals = month_totals(promise=promise) if totals is None else totals
    if basis is not None:
        specs, names = list(basis.specs.values()), basis.area_names
    else:
        specs, names = [_spec(target) for target in promise_targets(promise=promise)], {}
    if until.year == promise.year:
        months = range(1, until.month + 1)
    else:
        months = range(1, 13 if until.year > promise.year else 1)
    outside = engine.outside_totals(totals, specs, months)
    unnamed = {area_id for by_area in outside.values() for area_id in by_area} - names.keys()
    if unnamed:  # an area of another municipality: read, never guessed
        names = {**names, **dict(Area.objects.filter(pk__in=unnamed).values_list("pk", "name"))}
    return {
        type_id: sorted(
            (OutsideTotal(names[area_id], total) for area_id, total in by_area.items()),
            key=lambda item: (-item.total, item.area),
        )
        for type_id, by_area in sorted(outside.items())
    }


def silent_rows(rows: list[FollowupRow]) -> list[FollowupRow]:
    """Qualitative targets that would be published saying nothing: while the year runs, those
    with neither a status nor a comment; once it is over, those without the year's outcome
    (achieved, not achieved or not assessed: a comment alone is no outcome). Approving is
    refused while there are any, and the dashboard lists them, with links, before anyone tries."""

    def silent(row: FollowupRow) -> bool:
        comment = row.comment
        if row.result.final:
            return not (comment and comment.manual_status in FINAL_OUTCOMES)
        return not (comment and (comment.manual_status or comment.analysis or comment.measures))

    return [row for row in rows if row.target.kind == Target.Kind.QUALITATIVE and silent(row)]


@dataclass(frozen=True)
class Awaiting:
    """An ended tertial that waits for the manager's party: never published, or a correction
    the other party has approved."""

    promise: Promise
    tertial: Tertial
    correction: bool = False


@dataclass
class ManagerOverview:
    """What a manager's start page leads with: the running tertial's targets per status, and
    the ended tertials still waiting for the manager's party to approve."""

    promise: Promise
    tertial: Tertial
    status_counts: list[tuple[str, int]]  # (status, number of targets), in the order of Status
    awaiting: list[Awaiting]


def _status_counts(promise: Promise, tertial: Tertial) -> Counter:
    """The targets per status, cached as the dashboard's figures are: under the promise's
    revision (any change moves it), the day they are counted to and whether they are final."""
    as_of = followup_as_of(tertial=tertial)
    final = followup_is_final(tertial=tertial, as_of=as_of)
    key = f"status-counts:{promise.pk}:{promise.revision}:{tertial.number}:{as_of.isoformat()}:{final}"

    def compute() -> Counter:
        basis = followup_basis_cached(promise=promise, tertial=tertial)
        return Counter(row.result.status for row in followup_rows(promise=promise, tertial=tertial, basis=basis))

    # As the dashboard's figures: computed by one process when several miss at once.
    return cache_get_or_compute(key, compute, timeout=60 * 60)


def manager_overview(*, user: User, today: date | None = None) -> ManagerOverview | None:
    """The dashboard's default promise and tertial, counted from the same rows as the dashboard."""
    today = today or timezone.localdate()
    promise = promise_current(within=promises_for_user(user=user))
    if promise is None:
        return None
    tertial = default_tertial(promise=promise, today=today)
    counts = _status_counts(promise, tertial)
    return ManagerOverview(
        promise=promise,
        tertial=tertial,
        status_counts=[(status, counts[status]) for status in Status.values if counts[status]],
        awaiting=_awaiting(user=user, today=today),
    )


def _awaiting(*, user: User, today: date) -> list[Awaiting]:
    """The ended tertials of this year's and last year's promises that wait for the user's party.

    Last year's too: its T3 ends on 31 December and is approved in January, when this year's
    promise is already the current one. Only a party's managers approve: an administrator, or a
    manager of another organisation, has nothing waiting. Three queries."""
    if user.organisation_id is None:
        return []
    promises = list(
        Promise.objects.filter(parties=user.organisation_id, year__in=(today.year, today.year - 1))
        .exclude(status=Promise.Status.DRAFT)
        .select_related("municipality")
        .order_by("year", "municipality__name")
    )
    # The version each tertial waits for: the first, or a correction one party has approved.
    published: dict[tuple[int, int], int] = {}
    for promise_id, number, version in Publication.objects.filter(promise__in=promises).values_list(
        "promise_id", "tertial", "version"
    ):
        published[(promise_id, number)] = max(version, published.get((promise_id, number), 0))
    approvers: dict[tuple[int, int, int], set[int]] = {}
    for promise_id, number, version, organisation in Approval.objects.filter(promise__in=promises).values_list(
        "promise_id", "tertial", "version", "organisation_id"
    ):
        approvers.setdefault((promise_id, number, version), set()).add(organisation)
    awaiting = []
    for promise in promises:
        for ended in (t for t in tertials(promise.year) if t.end < today):
            version = published.get((promise.pk, ended.number), 0)
            waiting = approvers.get((promise.pk, ended.number, version + 1), set())
            if user.organisation_id in waiting:
                continue  # approved by us: it waits for the other party
            if not version:
                awaiting.append(Awaiting(promise, ended))
            elif waiting:
                # The other party has approved a correction of a published tertial: ours is missing.
                awaiting.append(Awaiting(promise, ended, correction=True))
    return awaiting
