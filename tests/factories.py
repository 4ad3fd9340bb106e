import datetime

import factory
from django.contrib.auth.models import Group

from promises import roles
from promises.models import (
    Activity,
    ActivityType,
    Area,
    Commitment,
    Municipality,
    Organisation,
    Promise,
    Section,
    Target,
    TargetArea,
    User,
)

PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("short_name",)
        skip_postgeneration_save = True

    short_name = factory.Sequence(lambda n: f"Org{n}")
    name = factory.LazyAttribute(lambda o: f"Organisation {o.short_name}")
    kind = Organisation.Kind.POLICE

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        """Serves Jönköping unless told otherwise (`municipalities=["Habo"]`)."""
        if create:
            names = extracted if extracted is not None else ["Jönköping"]
            self.municipalities.add(*(municipality(name) if isinstance(name, str) else name for name in names))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


def staff_user(organisation: Organisation | None = None, **kwargs) -> User:
    organisation = organisation or OrganisationFactory(short_name="Polisen", kind=Organisation.Kind.POLICE)
    return UserFactory(organisation=organisation, role=roles.POLICE_STAFF, **kwargs)


def manager_user(organisation: Organisation | None = None, **kwargs) -> User:
    organisation = organisation or OrganisationFactory(short_name="Polisen", kind=Organisation.Kind.POLICE)
    return UserFactory(organisation=organisation, role=roles.MANAGERS, **kwargs)


def municipality(name: str = "Jönköping") -> Municipality:
    """One of the 290 (synced after every migrate and flush), by name."""
    return Municipality.objects.get(name=name)


class _InMunicipality(factory.django.DjangoModelFactory):
    """Takes `municipality="Växjö"` as well as a Municipality, as tests read better so."""

    class Meta:
        abstract = True

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("municipality"), str):
            kwargs["municipality"] = municipality(kwargs["municipality"])
        return kwargs


class AreaFactory(_InMunicipality):
    class Meta:
        model = Area
        django_get_or_create = ("municipality", "name")

    municipality = factory.LazyFunction(municipality)
    name = factory.Sequence(lambda n: f"Område {n}")
    slug = factory.Sequence(lambda n: f"omrade-{n}")


class ActivityTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityType
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"typ-{n}")
    name = factory.Sequence(lambda n: f"Aktivitet {n}")
    max_quantity = 20

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        # Added, not set: a second World in another municipality shares the types.
        if create and extracted:
            self.organisations.add(*extracted)


class PromiseFactory(_InMunicipality):
    class Meta:
        model = Promise
        django_get_or_create = ("municipality", "year")

    municipality = factory.LazyFunction(municipality)
    year = 2022
    title = factory.LazyAttribute(lambda p: f"Medborgarlöfte {p.year}")
    general_commitment = "Polis och kommun ska gemensamt arbeta för trygghet."
    status = Promise.Status.ACTIVE


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    promise = factory.SubFactory(PromiseFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Polisiärt arbete"


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    section = factory.SubFactory(SectionFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Polisen ska fotpatrullera."


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target
        skip_postgeneration_save = True

    commitment = factory.SubFactory(CommitmentFactory)
    key = factory.Sequence(lambda n: f"mal-{n}")
    kind = Target.Kind.COUNT
    title = factory.Sequence(lambda n: f"Mål {n}")
    activity_type = factory.SubFactory(ActivityTypeFactory)
    count = 100

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            TargetArea.objects.bulk_create([TargetArea(target=self, area=area) for area in extracted])


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    promise = factory.SubFactory(PromiseFactory)
    activity_type = factory.SubFactory(ActivityTypeFactory)
    area = factory.SubFactory(AreaFactory)
    date = datetime.date(2022, 3, 1)
    quantity = 1
    created_by = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda a: a.created_by.organisation)


class World:
    """A small promise for the current year: two staff organisations, three areas, four types."""

    def __init__(self, year: int | None = None, municipality: str = "Jönköping"):
        """A second World in another municipality (`World(municipality="Habo")`) has parties
        of its own, serving only that municipality, and shares the activity types."""
        from django.utils import timezone

        self.today = timezone.localdate()
        self.year = year or self.today.year
        other = "" if municipality == "Jönköping" else f" {municipality}"
        self.police = OrganisationFactory(
            short_name=f"Polisen{other}",
            name=f"Polisen{other}",
            kind=Organisation.Kind.POLICE,
            municipalities=[municipality],
        )
        self.municipality = OrganisationFactory(
            short_name=f"Kommunen{other}",
            name=f"{municipality}s kommun" if other else "Jönköpings kommun",
            kind=Organisation.Kind.MUNICIPALITY,
            municipalities=[municipality],
        )
        self.raslatt = AreaFactory(name="Råslätt", slug="raslatt", municipality=municipality)
        self.oxnehaga = AreaFactory(name="Öxnehaga", slug="oxnehaga", municipality=municipality)
        self.whole = AreaFactory(
            name="Hela kommunen", slug="hela", is_whole_municipality=True, municipality=municipality
        )
        self.patrol = ActivityTypeFactory(code="fotpatrull", name="Fotpatrullering", organisations=[self.police])
        self.traffic = ActivityTypeFactory(
            code="trafikkontroll",
            name="Trafikkontroll",
            has_duration=True,
            min_duration_minutes=20,
            organisations=[self.police],
        )
        self.drugs = ActivityTypeFactory(
            code="narkotikabrott", name="Narkotikabrott", has_first_time_user=True, organisations=[self.police]
        )
        self.measure = ActivityTypeFactory(
            code="atgard",
            name="Åtgärd",
            requires_description=True,
            organisations=[self.police, self.municipality],
        )
        self.report = ActivityTypeFactory(code="lagesbild", name="Lägesbild", organisations=[self.municipality])
        self.promise = PromiseFactory(year=self.year, municipality=municipality)
        self.promise.parties.set([self.police, self.municipality])
        commitment = CommitmentFactory(section=SectionFactory(promise=self.promise))
        self.patrol_target = TargetFactory(
            commitment=commitment, activity_type=self.patrol, count=800, areas=[self.raslatt]
        )
        self.traffic_target = TargetFactory(
            commitment=commitment, activity_type=self.traffic, count=200, areas=[self.raslatt, self.oxnehaga]
        )
        self.drugs_target = TargetFactory(
            commitment=commitment, activity_type=self.drugs, count=52, areas=[self.raslatt]
        )
        self.report_target = TargetFactory(
            commitment=commitment,
            kind=Target.Kind.CADENCE,
            count=None,
            period=Target.Period.WEEK,
            activity_type=self.report,
            areas=[self.raslatt, self.oxnehaga],
        )
        self.officer = staff_user(organisation=self.police, first_name="Kim")
        self.colleague = staff_user(organisation=self.police)
        self.clerk = UserFactory(organisation=self.municipality, role=roles.MUNICIPAL_STAFF)
        self.manager = manager_user(organisation=self.police)
        self.municipal_manager = manager_user(organisation=self.municipality)

    def log(self, activity_type: ActivityType, quantity: int, day: datetime.date, area: Area | None = None) -> Activity:
        """An entry by the officer, straight into the database (the follow-up tests need data, not rules)."""
        return ActivityFactory(
            promise=self.promise,
            activity_type=activity_type,
            area=area or self.raslatt,
            date=day,
            quantity=quantity,
            created_by=self.officer,
        )

    def publish(self, tertial: int, reason: str = "") -> None:
        """Both parties approve the tertial, which publishes it."""
        from followup.services import tertial_approve
        from promises.periods import Tertial

        tertial_approve(promise=self.promise, tertial=Tertial(self.year, tertial), user=self.manager, reason=reason)
        tertial_approve(promise=self.promise, tertial=Tertial(self.year, tertial), user=self.municipal_manager)


def figures_match_activities() -> bool:
    """Whether every promise's figures (followup.selectors) equal a recomputation in Python
    from the raw activity rows."""
    from followup.selectors import coverage, month_totals

    for promise in Promise.objects.all():
        totals: dict = {}
        weeks: dict = {}
        months: dict = {}
        rows = Activity.objects.filter(promise=promise).values_list(
            "activity_type_id", "area_id", "date", "quantity", "first_time_user"
        )
        for type_id, area_id, day, quantity, flag in rows:
            total, flagged = totals.get((type_id, area_id, day.month), (0, 0))
            totals[(type_id, area_id, day.month)] = (total + quantity, flagged + (quantity if flag else 0))
            weeks.setdefault((type_id, area_id), set()).add(tuple(day.isocalendar()[:2]))
            months.setdefault((type_id, area_id), set()).add((day.year, day.month))
        type_ids = {type_id for type_id, _area_id in weeks}
        if month_totals(promise=promise) != totals:
            return False
        if coverage(promise=promise, type_ids=type_ids) != {"week": weeks, "month": months}:
            return False
    return True
