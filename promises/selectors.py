"""Reads of promises: named queries the views and services share."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from promises.models import (
    Activity,
    ActivityType,
    Area,
    Commitment,
    Municipality,
    Organisation,
    Promise,
    PromiseQuerySet,
    PublishedTertial,
    Section,
    Target,
    TargetArea,
    User,
)
from promises.permissions import is_manager


def municipality_find(text: str) -> Municipality | None:
    """The municipality a person or a file names: by code (0680) or by name, in any case, with
    or without "kommun" ("Jönköping", "jönköpings kommun")."""
    text = " ".join(str(text).split())
    if text.isdigit():
        return Municipality.objects.filter(code=text.zfill(4)).first()
    # Compared in Python: SQLite's case-insensitive match knows only ASCII (Ö is not ö there).
    name = text.casefold().removesuffix(" kommun").removesuffix(" stad")
    by_name = {municipality.name.casefold(): municipality for municipality in Municipality.objects.all()}
    return by_name.get(name) or (by_name.get(name[:-1]) if name.endswith("s") else None)  # "Jönköpings kommun"


def promise_current(*, within: PromiseQuerySet | None = None) -> Promise | None:
    """The promise the public page leads with: the latest active one, else the latest closed
    (of `within`, e.g. a manager's own promises, when given)."""
    public = (within if within is not None else Promise.objects).public().order_by("-year", "municipality__name")
    return public.filter(status=Promise.Status.ACTIVE).first() or public.first()


def promise_for_year(year: int) -> Promise | None:
    """A non-draft promise of the year (the first municipality's, where there are several)."""
    return Promise.objects.public().filter(year=year).order_by("municipality__name").first()


def promise_with_structure(*, promise: Promise) -> Promise:
    """The promise with sections, commitments, targets and their areas in a fixed number of queries."""
    targets = Target.objects.select_related("activity_type", "parent").prefetch_related("areas")
    commitments = Commitment.objects.prefetch_related("responsible", Prefetch("targets", queryset=targets))
    sections = Section.objects.prefetch_related(Prefetch("commitments", queryset=commitments))
    return (
        Promise.objects.select_related("municipality")
        .prefetch_related("parties", "signatories__organisation", Prefetch("sections", queryset=sections))
        .get(pk=promise.pk)
    )


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

    promises: dict[tuple[int, int], Promise]  # (municipality id, year) -> promise
    types_by_organisation: dict[int, set[int]]
    target_areas: dict[tuple[int, int], set[int]]  # (promise, activity type) -> areas
    promise_areas: dict[int, set[int]]  # promise -> every area its targets use
    whole_municipality: dict[int, int]  # municipality id -> its whole-municipality area
    area_names: dict[int, str]
    published: set[tuple[int, int]]  # (promise, tertial)
    parties: dict[int, set[int]]  # promise -> the organisations that signed it
    served: dict[int, set[int]]  # organisation -> the municipalities it serves

    def __post_init__(self) -> None:
        self.municipality_of = {promise.pk: municipality for (municipality, _year), promise in self.promises.items()}

    @classmethod
    def load(cls, *, municipalities: list[int] | None = None, years: list[int] | None = None) -> "ActivityContext":
        """The rules' context for the active promises, limited to these municipalities (ids) and years."""
        promises_qs = Promise.objects.active()
        areas_qs = Area.objects.all()
        if municipalities is not None:
            promises_qs = promises_qs.filter(municipality__in=municipalities)
            areas_qs = areas_qs.filter(municipality__in=municipalities)
        if years is not None:
            promises_qs = promises_qs.filter(year__in=years)
        promises = {(p.municipality_id, p.year): p for p in promises_qs}
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
        served: dict[int, set[int]] = {}
        for organisation_id, municipality_id in Organisation.municipalities.through.objects.values_list(
            "organisation_id", "municipality_id"
        ):
            served.setdefault(organisation_id, set()).add(municipality_id)
        return cls(
            served=served,
            promises=promises,
            types_by_organisation=types_by_organisation,
            target_areas=target_areas,
            promise_areas=promise_areas,
            whole_municipality={m: pk for pk, _name, m, whole in areas if whole},
            area_names={pk: name for pk, name, _m, _w in areas},
            published=published,
            parties=parties,
        )

    def promise_for(self, *, municipality: int, year: int) -> Promise | None:
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

    def serves(self, *, organisation_id: int, municipality_id: int) -> bool:
        return municipality_id in self.served.get(organisation_id, set())

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


@dataclass
class AreaChoices:
    """The areas a form offers for a type: those where it counts toward a target, then the others.

    `others` are every other area of the municipalities with an active promise: what happened
    is logged where it happened, even where no target counts it.
    """

    counted: list[Area]
    others: list[Area]
    years: list[int]  # the years of the active promises concerned


def activity_area_choices(
    *,
    activity_type: ActivityType,
    include: int | None = None,
    municipality: int | None = None,
    organisation_id: int | None = None,
) -> AreaChoices:
    """The areas a form offers for a type, over every active promise, in two queries.

    `include` keeps an entry's current area on offer when it is edited; `municipality`
    limits the choice to one municipality (an edited entry stays in its own).
    """
    promises = Promise.objects.active()
    if municipality is not None:
        promises = promises.filter(municipality=municipality)
    if organisation_id is not None:  # only where the organisation works
        promises = promises.filter(municipality__organisations=organisation_id)
    pairs = list(promises.values_list("municipality", "year"))
    counted_here = TargetArea.objects.filter(
        area=OuterRef("pk"),
        target__activity_type=activity_type,
        target__commitment__section__promise__in=promises,
    )
    areas = list(
        Area.objects.filter(Q(municipality__in={m for m, _year in pairs}) | Q(pk=include or 0))
        .annotate(counted=Exists(counted_here))
        .order_by("is_whole_municipality", "name")
    )
    return AreaChoices(
        counted=[area for area in areas if area.counted],  # annotated above
        others=[area for area in areas if not area.counted],
        years=sorted({year for _m, year in pairs}),
    )


def activity_counted_by(*, activity: Activity) -> list[Target]:
    """The targets an entry counts toward: those of its promise for its type and area (one query)."""
    return list(
        Target.objects.filter(
            commitment__section__promise_id=activity.promise_id,
            activity_type_id=activity.activity_type_id,
            areas=activity.area_id,
        )
        .select_related("commitment__section")
        .order_by("commitment__section__number", "commitment__number", "order", "pk")
    )


def promises_for_user(*, user: User) -> PromiseQuerySet:
    """The promises a user works with (drafts included; callers narrow with `.public()`).

    A manager: those their organisation is party to. Staff: those of the municipalities
    their organisation serves. An administrator (no organisation): every one. Anyone else:
    none. Every view of a promise's follow-up or entries starts here, so that one
    municipality's people never reach another's (404, as for a missing page)."""
    if user.organisation_id is None:
        return Promise.objects.all() if is_manager(user) else Promise.objects.none()
    if is_manager(user):
        return Promise.objects.filter(parties=user.organisation_id)
    return Promise.objects.filter(municipality__organisations=user.organisation_id)


def activity_list_for_user(*, user: User) -> QuerySet[Activity]:
    """Entries a user may see: managers those of their promises (and their own
    organisation's), administrators every entry, staff their own."""
    queryset = Activity.objects.select_related("activity_type", "area", "organisation", "created_by")
    if is_manager(user):
        if user.organisation_id is None:
            return queryset
        return queryset.filter(Q(promise__in=promises_for_user(user=user)) | Q(organisation=user.organisation_id))
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
