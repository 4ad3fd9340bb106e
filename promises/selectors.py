"""Reads of promises: named queries the views and services share."""

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

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
    User,
)
from promises.periods import Tertial, period_bounds, period_label, period_of
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
    """The promise a page leads with: the latest active one, else the latest closed (of
    `within`, e.g. a manager's own promises or one municipality's, when given)."""
    public = (within if within is not None else Promise.objects).public().order_by("-year", "municipality__name")
    return public.filter(status=Promise.Status.ACTIVE).first() or public.first()


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


# The rules' data of one promise is cached under its rules revision (promises/revisions.py),
# which every change of its targets, areas or parties replaces (a logged entry does not): a
# key is never reused for other rules. The timeout only bounds the memory kept for revisions
# no one asks for.
ACTIVITY_RULES_CACHE_SECONDS = 60 * 60 * 24


@dataclass
class PromiseRules:
    """What the activity rules need of one promise; cached per rules revision."""

    target_areas: dict[int, set[int]]  # activity type -> the areas its targets use
    used_areas: set[int]  # every area the promise's targets use
    areas: list[tuple]  # every area of its municipality, and any other its targets use (AREA_FIELDS)
    parties: set[int]  # the organisations that signed it
    counted_types: set[int]  # the activity types its targets count, with areas or without

    def open_to(self, *, organisation_id: int, types: set[int]) -> bool:
        """Whether an organisation with these activity types may log on the promise under the
        rules (ActivityContext.takes_part): it signed it, or one of its types is counted by
        none of its targets (measures, meetings)."""
        return organisation_id in self.parties or bool(types - self.counted_types)


# Areas are cached as plain rows: unpickling model instances costs more than the rest together.
AREA_FIELDS = [f.attname for f in Area._meta.concrete_fields]
_PK, _MUNICIPALITY = (AREA_FIELDS.index(name) for name in ("id", "municipality_id"))


# Raise it when PromiseRules or AREA_FIELDS change: a shared cache outlives a deploy.
ACTIVITY_RULES_VERSION = 3


def _rules_key(promise: Promise) -> str:
    return f"activity-rules:v{ACTIVITY_RULES_VERSION}:{promise.pk}:{promise.rules_revision}"


def _rules_from_db(promises: list[Promise]) -> dict[int, PromiseRules]:
    """The rules' data of these promises in three queries, whatever their number."""
    rules = {
        promise.pk: PromiseRules(target_areas={}, used_areas=set(), areas=[], parties=set(), counted_types=set())
        for promise in promises
    }
    # Every target, with each of its areas (one row with none when it has none).
    rows = Target.objects.filter(commitment__section__promise__in=promises)
    for promise_id, type_id, area_id in rows.values_list(
        "commitment__section__promise_id", "activity_type_id", "areas"
    ):
        part = rules[promise_id]
        if type_id is not None:
            part.counted_types.add(type_id)
        if area_id is None:
            continue
        part.used_areas.add(area_id)
        if type_id is not None:
            part.target_areas.setdefault(type_id, set()).add(area_id)
    used = {pk for part in rules.values() for pk in part.used_areas}
    area_rows = list(
        Area.objects.filter(
            Q(municipality__in={promise.municipality_id for promise in promises}) | Q(pk__in=used)
        ).values_list(*AREA_FIELDS)
    )
    for promise in promises:
        part = rules[promise.pk]
        part.areas = [r for r in area_rows if r[_MUNICIPALITY] == promise.municipality_id or r[_PK] in part.used_areas]
    for promise_id, organisation_id in Promise.parties.through.objects.filter(promise__in=promises).values_list(
        "promise_id", "organisation_id"
    ):
        rules[promise_id].parties.add(organisation_id)
    return rules


def promise_rules(promises: list[Promise]) -> dict[int, PromiseRules]:
    """The rules' data of these promises: from the cache in one round trip, those whose
    rules revision is not there yet from the database (a fixed number of queries) and then cached."""
    keys = {promise.pk: _rules_key(promise) for promise in promises}
    cached = cache.get_many(list(keys.values()))
    found = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [promise for promise in promises if promise.pk not in found]
    if missing:
        loaded = _rules_from_db(missing)
        cache.set_many({keys[pk]: value for pk, value in loaded.items()}, ACTIVITY_RULES_CACHE_SECONDS)
        found.update(loaded)
    return found


@dataclass
class ActivityContext:
    """Everything the activity rules look up, loaded in a fixed number of queries.

    A request loads it once: the form offers its areas and the service checks the entry with
    the same object. An import checks 50,000 rows with it. Each promise's part comes from the
    cache while the promise's rules revision stands (promise_rules).
    """

    promises: dict[tuple[int, int], Promise]  # (municipality id, year) -> promise
    types_by_organisation: dict[int, set[int]]
    target_areas: dict[tuple[int, int], set[int]]  # (promise, activity type) -> areas
    published: set[tuple[int, int]]  # (promise, tertial)
    parties: dict[int, set[int]]  # promise -> the organisations that signed it
    served: dict[int, set[int]] = field(default_factory=dict)  # organisation -> the municipalities it serves
    area_rows: dict[int, tuple] = field(default_factory=dict)  # every area of the promises' municipalities
    organisation_id: int | None = None  # loaded for this organisation's promises only; None: every one

    @classmethod
    def load(
        cls,
        *,
        municipalities: list[int] | None = None,
        years: list[int] | None = None,
        organisation_id: int | None = None,
        area_id: int | None = None,
    ) -> "ActivityContext":
        """The rules' context for the active promises, limited to these municipalities and
        years, and to the promises this organisation may log on (in the municipalities it
        serves: elsewhere it has nothing to log, and the service looks such a promise up itself
        to say so).

        `area_id` limits it to the municipality of that area, without a query of its own: a
        posted entry needs no other (and an unknown area finds no promise).
        """
        promises_qs = Promise.objects.active().order_by()  # a dict of them: no order, no join to sort by
        if municipalities is not None:
            promises_qs = promises_qs.filter(municipality__in=municipalities)
        if area_id is not None:
            promises_qs = promises_qs.filter(municipality__areas=area_id)
        if years is not None:
            promises_qs = promises_qs.filter(year__in=years)
        if organisation_id is not None:
            promises_qs = promises_qs.filter(municipality__organisations=organisation_id)
        promises = list(promises_qs)
        types_qs = ActivityType.organisations.through.objects.all()
        if organisation_id is not None:
            types_qs = types_qs.filter(organisation=organisation_id)
        types_by_organisation: dict[int, set[int]] = {}
        for organisation, type_id in types_qs.values_list("organisation_id", "activitytype_id"):
            types_by_organisation.setdefault(organisation, set()).add(type_id)
        served_qs = Organisation.municipalities.through.objects.all()
        if organisation_id is not None:
            served_qs = served_qs.filter(organisation=organisation_id)
        served: dict[int, set[int]] = {}
        for organisation, municipality_id in served_qs.values_list("organisation_id", "municipality_id"):
            served.setdefault(organisation, set()).add(municipality_id)
        rules = promise_rules(promises)
        if organisation_id is not None:
            # Which ones it may log on, from the cached rules: no query of its own.
            types = types_by_organisation.get(organisation_id, set())
            promises = [p for p in promises if rules[p.pk].open_to(organisation_id=organisation_id, types=types)]
            rules = {p.pk: rules[p.pk] for p in promises}
        areas = {row[_PK]: row for part in rules.values() for row in part.areas}
        return cls(
            served=served,
            promises={(p.municipality_id, p.year): p for p in promises},
            types_by_organisation=types_by_organisation,
            target_areas={(pk, t): ids for pk, part in rules.items() for t, ids in part.target_areas.items()},
            # Read live, never from the rules' cache: the revision moves only after the
            # publishing transaction commits, and an entry must not slip into a tertial just
            # published in between.
            published=set(PublishedTertial.objects.filter(promise__in=promises).values_list("promise_id", "tertial")),
            parties={pk: part.parties for pk, part in rules.items() if part.parties},
            area_rows=areas,
            organisation_id=organisation_id,
        )

    def area(self, pk: int) -> Area | None:
        """One of the context's areas, as a model instance (made when asked for)."""
        row = self.area_rows.get(pk)
        return None if row is None else Area.from_db("default", AREA_FIELDS, row)

    def promise_for(self, *, municipality: int, year: int) -> Promise | None:
        return self.promises.get((municipality, year))

    def serves(self, *, organisation_id: int, municipality_id: int) -> bool:
        return municipality_id in self.served.get(organisation_id, set())

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


@dataclass
class AreaChoices:
    """The areas a form offers for a type: those where it counts toward a target, then the others.

    `others` are every other area of the municipalities with an active promise: what happened
    is logged where it happened, even where no target counts it.
    """

    counted: list[Area]
    others: list[Area]
    years: list[int]  # the years of the active promises concerned


def municipality_names(*, ids: set[int]) -> dict[int, str]:
    """The municipalities' names by id (one query)."""
    return dict(Municipality.objects.filter(pk__in=ids).values_list("pk", "name"))


def activity_area_choices(
    *,
    context: ActivityContext,
    activity_type: ActivityType,
    include: Area | None = None,
    municipality: int | None = None,
    organisation_id: int | None = None,
) -> AreaChoices:
    """The areas a form offers for a type, from the request's rule context, without a query:
    every area of the municipalities (where the organisation works) with an active promise,
    those the type's targets count first.

    `include` keeps an entry's current area on offer when it is edited; `municipality`
    limits the choice to one municipality (an edited entry stays in its own).
    """
    served = context.served.get(organisation_id, set()) if organisation_id is not None else None
    counted: set[int] = set()
    every: set[int] = set()
    years: set[int] = set()
    for (promise_municipality, year), promise in context.promises.items():
        if municipality is not None and promise_municipality != municipality:
            continue
        if served is not None and promise_municipality not in served:
            continue
        years.add(year)
        counted |= context.target_areas.get((promise.pk, activity_type.pk), set())
        every |= {pk for pk, row in context.area_rows.items() if row[_MUNICIPALITY] == promise_municipality}
    counted &= every

    def areas(ids: set[int]) -> list[Area]:
        found = [area for area in map(context.area, ids) if area is not None]
        return sorted(found, key=lambda area: (area.is_whole_municipality, area.name))

    others = areas(every - counted)
    if include is not None and include.pk not in every:
        others.append(include)
    return AreaChoices(counted=areas(counted), others=others, years=sorted(years))


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


def periods_already_covered(*, activity: Activity, counted_by: list[Target]) -> list[str]:
    """The weeks or months the entry's cadence targets had covered before it, in its area:
    "v. 48" when that week already had a lägesbild in Råslätt. A cadence target counts each
    period once, so such an entry adds nothing to it, and the confirmation says so. One query
    per period kind (usually one)."""
    covered = []
    for period in sorted({t.period for t in counted_by if t.kind == Target.Kind.CADENCE}):
        key = period_of(activity.date, period)
        start, end = period_bounds(key, period)
        others = Activity.objects.filter(
            promise_id=activity.promise_id,
            activity_type_id=activity.activity_type_id,
            area_id=activity.area_id,
            date__range=(start, end),
        ).exclude(pk=activity.pk)
        if others.exists():
            covered.append(period_label(key, period))
    return covered


def promises_for_user(*, user: User) -> PromiseQuerySet:
    """The promises a user works with (drafts included; callers narrow with `.public()`).

    A manager: those their organisation is party to. Staff: those of the municipalities
    their organisation serves. An administrator (no organisation, and may edit promises):
    every one. Anyone else, a manager saved without an organisation too: none. Every view
    of a promise's follow-up or entries starts here, so that one municipality's people never
    reach another's (404, as for a missing page)."""
    if user.organisation_id is None:
        return Promise.objects.all() if _is_administrator(user) else Promise.objects.none()
    if is_manager(user):
        return Promise.objects.filter(parties=user.organisation_id)
    return Promise.objects.filter(municipality__organisations=user.organisation_id)


def _is_administrator(user: User) -> bool:
    return user.is_authenticated and user.organisation_id is None and user.has_perm("promises.change_promise")


def activity_list_for_user(*, user: User) -> QuerySet[Activity]:
    """Entries a user may see: managers those of their promises (and their own
    organisation's), administrators every entry, staff their own."""
    queryset = Activity.objects.select_related("activity_type", "area", "organisation", "created_by")
    if _is_administrator(user):
        return queryset
    if is_manager(user):
        return queryset.filter(Q(promise__in=promises_for_user(user=user)) | Q(organisation=user.organisation_id))
    return queryset.filter(created_by=user)


ACTIVITY_LOCKED_PUBLISHED = _("Locked: %(tertial)s is published, only a manager changes its entries.")
ACTIVITY_LOCKED_CLOSED = _("Locked: the citizen promise %(year)s takes no more changes.")


def activity_locks(*, user: User, activities: list[Activity]) -> dict[int, str]:
    """Why the user cannot change or delete these entries, by entry: its promise no longer
    active (a year closed), or, for staff, its tertial published. The services refuse the same
    (promises.services); the lists and forms say it before anyone tries. Two queries."""
    promise_ids = {activity.promise_id for activity in activities}
    promises = dict(Promise.objects.filter(pk__in=promise_ids).values_list("pk", "status"))
    published = (
        set()
        if is_manager(user)
        else set(PublishedTertial.objects.filter(promise__in=promise_ids).values_list("promise_id", "tertial"))
    )
    locks = {}
    for activity in activities:
        tertial = Tertial.of(activity.date)
        if promises.get(activity.promise_id) != Promise.Status.ACTIVE:
            locks[activity.pk] = str(ACTIVITY_LOCKED_CLOSED % {"year": activity.date.year})
        elif (activity.promise_id, tertial.number) in published:
            locks[activity.pk] = str(ACTIVITY_LOCKED_PUBLISHED % {"tertial": tertial.label})
    return locks


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
    if user.organisation_id is None:
        return []
    # The activity types are shared by every municipality; the promises are those the user's
    # organisation logs on, in the municipalities it serves (as promises_for_user for staff,
    # without its permission queries: the weekly digest asks this for every organisation).
    own = Promise.objects.filter(
        municipality__organisations=user.organisation_id, status=Promise.Status.ACTIVE, year=today.year
    )
    targets = list(
        Target.objects.filter(
            kind=Target.Kind.CADENCE,
            commitment__section__promise__in=own,
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
            area__in={area.pk for t in targets for area in t.areas.all()},
            activity_type__in={t.activity_type_id for t in targets},
            date__gte=since,
            date__lte=today,
        )
        .values_list("activity_type_id", "area_id", "date")
        .distinct()
    )
    due = []
    for target in targets:
        key = period_of(today, target.period)
        if key[0] != today.year:
            # 1–3 January in the last ISO week of the year before (2026-W53), or 29–31 December
            # in the first of the next: that week is not this year's promise's to ask for.
            continue
        start, end = period_bounds(key, target.period)
        for area in target.areas.all():
            covered = any(
                type_id == target.activity_type_id and area_id == area.pk and start <= day <= end
                for type_id, area_id, day in logged
            )
            if not covered:
                due.append(DueItem(target, area, period_label(key, target.period), end))
    return due
