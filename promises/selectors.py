"""Reads of promises: named queries the views and services share."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from promises.models import (
    Activity,
    ActivityType,
    Area,
    Commitment,
    Promise,
    PublishedTertial,
    Section,
    Target,
    TargetArea,
    User,
)
from promises.permissions import is_manager


def promise_current() -> Promise | None:
    """The promise the public page leads with: the latest active one, else the latest closed."""
    public = Promise.objects.public().order_by("-year", "municipality")
    return public.filter(status=Promise.Status.ACTIVE).first() or public.first()


def promise_for_year(year: int) -> Promise | None:
    """A non-draft promise of the year (the first municipality's, where there are several)."""
    return Promise.objects.public().filter(year=year).order_by("municipality").first()


def promise_with_structure(*, promise: Promise) -> Promise:
    """The promise with sections, commitments, targets and their areas in a fixed number of queries."""
    targets = Target.objects.select_related("activity_type", "parent").prefetch_related("areas")
    commitments = Commitment.objects.prefetch_related("responsible", Prefetch("targets", queryset=targets))
    sections = Section.objects.prefetch_related(Prefetch("commitments", queryset=commitments))
    return Promise.objects.prefetch_related(
        "parties", "signatories__organisation", Prefetch("sections", queryset=sections)
    ).get(pk=promise.pk)


def activity_types_for_user(*, user: User) -> QuerySet[ActivityType]:
    if user.organisation_id is None:
        return ActivityType.objects.none()
    return ActivityType.objects.filter(organisations=user.organisation_id)


@dataclass
class ActivityContext:
    """Everything the activity rules look up, loaded in a fixed number of queries.

    The form checks one entry with it; an import checks 50,000 rows with the same handful
    of queries.
    """

    promises: dict[tuple[str, int], Promise]
    types_by_organisation: dict[int, set[int]]
    target_areas: dict[tuple[int, int], set[int]]  # (promise, activity type) -> areas
    promise_areas: dict[int, set[int]]  # promise -> every area its targets use
    whole_municipality: dict[str, int]  # municipality -> its whole-municipality area
    area_names: dict[int, str]
    published: set[tuple[int, int]]  # (promise, tertial)
    parties: dict[int, set[int]]  # promise -> the organisations that signed it

    def __post_init__(self) -> None:
        self.municipality_of = {promise.pk: municipality for (municipality, _year), promise in self.promises.items()}

    @classmethod
    def load(cls, *, municipalities: list[str] | None = None, years: list[int] | None = None) -> "ActivityContext":
        """The rules' context for the active promises, limited to these municipalities and years."""
        promises_qs = Promise.objects.active()
        areas_qs = Area.objects.all()
        if municipalities is not None:
            promises_qs = promises_qs.filter(municipality__in=municipalities)
            areas_qs = areas_qs.filter(municipality__in=municipalities)
        if years is not None:
            promises_qs = promises_qs.filter(year__in=years)
        promises = {(p.municipality, p.year): p for p in promises_qs}
        types_by_organisation: dict[int, set[int]] = {}
        for organisation_id, type_id in ActivityType.organisations.through.objects.values_list(
            "organisation_id", "activitytype_id"
        ):
            types_by_organisation.setdefault(organisation_id, set()).add(type_id)
        target_areas: dict[tuple[int, int], set[int]] = {}
        promise_areas: dict[int, set[int]] = {}
        rows = TargetArea.objects.filter(target__commitment__section__promise__in=list(promises.values()))
        for promise_id, type_id, area_id in rows.values_list(
            "target__commitment__section__promise_id", "target__activity_type_id", "area_id"
        ):
            promise_areas.setdefault(promise_id, set()).add(area_id)
            if type_id is not None:
                target_areas.setdefault((promise_id, type_id), set()).add(area_id)
        areas = list(areas_qs.values_list("pk", "name", "municipality", "is_whole_municipality"))
        published = set(
            PublishedTertial.objects.filter(promise__in=list(promises.values())).values_list("promise_id", "tertial")
        )
        parties: dict[int, set[int]] = {}
        for promise_id, organisation_id in Promise.parties.through.objects.filter(
            promise__in=list(promises.values())
        ).values_list("promise_id", "organisation_id"):
            parties.setdefault(promise_id, set()).add(organisation_id)
        return cls(
            promises=promises,
            types_by_organisation=types_by_organisation,
            target_areas=target_areas,
            promise_areas=promise_areas,
            whole_municipality={m: pk for pk, _name, m, whole in areas if whole},
            area_names={pk: name for pk, name, _m, _w in areas},
            published=published,
            parties=parties,
        )

    def promise_for(self, *, municipality: str, year: int) -> Promise | None:
        return self.promises.get((municipality, year))

    def takes_part(self, *, promise_id: int, organisation_id: int, type_id: int) -> bool:
        """Whether an organisation may log this type on the promise.

        The parties log everything their types allow. An organisation that did not sign (the
        2022 promise's housing company, Vätterhem) takes part through the types no target
        counts (measures, meetings): what it reports is shown, but it never adds to a figure
        the parties sign.
        """
        if organisation_id in self.parties.get(promise_id, set()):
            return True
        return (promise_id, type_id) not in self.target_areas

    def types_for(self, organisation_id: int) -> set[int]:
        return self.types_by_organisation.get(organisation_id, set())

    def areas_for(self, promise_id: int, type_id: int) -> set[int]:
        """Areas where an activity type counts: those its targets use; for a type that no
        target counts (measures, analyses, meetings), every area of the promise and the
        whole municipality."""
        if (promise_id, type_id) in self.target_areas:
            return self.target_areas[(promise_id, type_id)]
        municipality = self.municipality_of.get(promise_id)
        areas = set(self.promise_areas.get(promise_id, set()))
        if municipality in self.whole_municipality:
            areas.add(self.whole_municipality[municipality])
        return areas


def activity_area_choices(
    *, activity_type: ActivityType, include: int | None = None, municipality: str | None = None
) -> list[Area]:
    """The areas a form offers for a type, over every active promise, in two queries.

    The same areas as ActivityContext.areas_for: those the type's targets use; in a promise
    where no target counts the type, every area of the promise and the whole municipality.
    `include` keeps an entry's current area on offer when it is edited, in its municipality.
    """
    rows = TargetArea.objects.filter(target__commitment__section__promise__status=Promise.Status.ACTIVE)
    if municipality is not None:
        rows = rows.filter(target__commitment__section__promise__municipality=municipality)
    triples = rows.values_list(
        "target__commitment__section__promise_id",
        "target__commitment__section__promise__municipality",
        "target__activity_type_id",
        "area_id",
    )
    counted: dict[int, set[int]] = {}
    every: dict[int, set[int]] = {}
    municipality_of: dict[int, str] = {}
    for promise_id, promise_municipality, type_id, area_id in triples:
        municipality_of[promise_id] = promise_municipality
        every.setdefault(promise_id, set()).add(area_id)
        if type_id == activity_type.pk:
            counted.setdefault(promise_id, set()).add(area_id)
    area_ids = {pk for ids in counted.values() for pk in ids}
    uncounted = [promise_id for promise_id in every if promise_id not in counted]
    for promise_id in uncounted:
        area_ids |= every[promise_id]
    if include is not None:
        area_ids.add(include)
    whole = {municipality_of[promise_id] for promise_id in uncounted}
    return list(
        Area.objects.filter(Q(pk__in=area_ids) | Q(is_whole_municipality=True, municipality__in=whole)).order_by(
            "is_whole_municipality", "name"
        )
    )


def activity_list_for_user(*, user: User) -> QuerySet[Activity]:
    """Entries a user may see: managers every entry, staff their own."""
    queryset = Activity.objects.select_related("activity_type", "area", "organisation", "created_by")
    if is_manager(user):
        return queryset
    return queryset.filter(created_by=user)


def activity_list_for_organisation(
    *,
    organisation_id: int,
    date_from: date | None = None,
    date_to: date | None = None,
    activity_type: ActivityType | None = None,
    area: Area | None = None,
) -> QuerySet[Activity]:
    """An organisation's own entries (the API's list), whoever logged them, filtered."""
    queryset = Activity.objects.filter(organisation_id=organisation_id).select_related("activity_type", "area")
    if date_from is not None:
        queryset = queryset.filter(date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(date__lte=date_to)
    if activity_type is not None:
        queryset = queryset.filter(activity_type=activity_type)
    if area is not None:
        queryset = queryset.filter(area=area)
    return queryset


def activity_type_for_user(*, user: User, code: str) -> ActivityType | None:
    return activity_types_for_user(user=user).filter(code=code).first()


@dataclass(frozen=True)
class DueItem:
    target: Target
    area: Area
    period_label: str
    period_end: date


def cadence_due(*, user: User, today: date) -> list[DueItem]:
    """Cadence targets the user's organisation serves whose running week or month has no entry yet.

    Two queries: the targets with their areas, and which (type, area) pairs already have an
    entry since the start of the running month or week.
    """
    from promises.periods import period_bounds, period_label, period_of

    if user.organisation_id is None:
        return []
    targets = list(
        Target.objects.filter(
            kind=Target.Kind.CADENCE,
            commitment__section__promise__status=Promise.Status.ACTIVE,
            commitment__section__promise__year=today.year,
            activity_type__organisations=user.organisation_id,
        )
        .select_related("activity_type")
        .prefetch_related("areas")
        .order_by("commitment__section__number", "commitment__number", "order")
    )
    if not targets:
        return []
    since = min(period_bounds(period_of(today, t.period), t.period)[0] for t in targets)
    logged = set(
        Activity.objects.filter(
            activity_type__in={t.activity_type_id for t in targets}, date__gte=since, date__lte=today
        )
        .values_list("activity_type_id", "area_id", "date")
        .distinct()
    )
    due = []
    for target in targets:
        key = period_of(today, target.period)
        start, end = period_bounds(key, target.period)
        for area in target.areas.all():
            covered = any(
                type_id == target.activity_type_id and area_id == area.pk and start <= day <= end
                for type_id, area_id, day in logged
            )
            if not covered:
                due.append(DueItem(target, area, period_label(key, target.period), end))
    return due
