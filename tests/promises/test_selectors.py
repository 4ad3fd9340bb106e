"""The rules' context (ActivityContext): loaded once per request, for the organisation's
promises only, cached per promise revision."""

import uuid
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from promises.models import Activity, Organisation, Promise
from promises.selectors import ActivityContext, cadence_due
from promises.services import ACTIVITY_NOT_A_PARTY, target_areas_set
from tests.factories import AreaFactory, OrganisationFactory, PromiseFactory, TargetFactory, World, staff_user
from tests.medborgarlofte.test_cache import redis_cache  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

DAY = date(2022, 3, 1)


@pytest.fixture
def loads(monkeypatch) -> list[dict]:
    """Every ActivityContext.load of the test, with its arguments (the real load runs)."""
    calls: list[dict] = []
    load = ActivityContext.load.__func__  # type: ignore[attr-defined]

    def counting(cls, **kwargs):
        calls.append(kwargs)
        return load(cls, **kwargs)

    monkeypatch.setattr(ActivityContext, "load", classmethod(counting))
    return calls


def _post(world: World, area) -> dict:
    return {"area": area.pk, "date": DAY.isoformat(), "quantity": "1", "note": "", "submission_key": str(uuid.uuid4())}


def test_activity_log_loads_the_rules_context_once_per_request(client, loads):
    world = World(year=2022)
    client.force_login(world.officer)
    url = reverse("activity_log", args=["fotpatrull"])
    client.get(url)
    assert loads == [{"municipalities": None, "organisation_id": world.police.pk}]
    loads.clear()
    response = client.post(url, _post(world, world.raslatt))
    assert response.status_code == 302
    # A post loads only the promises of the posted area's municipality.
    assert loads == [{"area_id": world.raslatt.pk, "organisation_id": world.police.pk}]
    assert Activity.objects.get().area == world.raslatt


def test_a_post_loads_the_promises_of_the_posted_areas_municipality_only():
    world = World(year=2022)
    habo = PromiseFactory(municipality="Habo", year=2022, status=Promise.Status.ACTIVE)
    habo.parties.set([world.police])
    world.police.municipalities.add(habo.municipality)
    context = ActivityContext.load(area_id=world.raslatt.pk, organisation_id=world.police.pk)
    assert list(context.promises.values()) == [world.promise]
    assert ActivityContext.load(area_id=0, organisation_id=world.police.pk).promises == {}


def test_a_refused_post_offers_again_the_areas_of_every_municipality_the_organisation_serves(client, loads):
    world = World(year=2022)
    habo = PromiseFactory(municipality="Habo", year=2022, status=Promise.Status.ACTIVE)
    habo.parties.set([world.police])
    world.police.municipalities.add(habo.municipality)
    centrum = AreaFactory(municipality="Habo", name="Centrum", slug="centrum")
    client.force_login(world.officer)
    url = reverse("activity_log", args=["fotpatrull"])
    offered = set(client.get(url).context["form"].areas)
    assert {world.raslatt.pk, centrum.pk} <= offered
    loads.clear()
    response = client.post(url, _post(world, world.raslatt) | {"quantity": "0"})
    assert response.context["form"].errors["quantity"]
    assert set(response.context["form"].areas) == offered
    assert [call.get("area_id") for call in loads] == [world.raslatt.pk, None]  # the post's, then the choice's


def test_activity_log_refused_entry_loads_the_context_once_too(client, loads):
    world = World(year=2022)
    client.force_login(world.officer)
    response = client.post(
        reverse("activity_log", args=["fotpatrull"]), _post(world, world.raslatt) | {"quantity": "0"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["quantity"]
    assert len(loads) == 1


def test_activity_edit_loads_the_context_of_the_entrys_municipality_once(client, loads):
    world = World(year=2022)
    entry = world.log(world.patrol, 1, DAY)
    entry.organisation = world.police
    entry.save()
    client.force_login(world.officer)
    response = client.post(reverse("activity_edit", args=[entry.pk]), _post(world, world.raslatt) | {"quantity": "3"})
    assert response.status_code == 302
    assert loads == [{"municipalities": [world.promise.municipality_id], "organisation_id": world.police.pk}]
    entry.refresh_from_db()
    assert entry.quantity == 3


def test_context_holds_only_the_promises_the_organisation_may_log_on():
    world = World(year=2022)
    rescue = OrganisationFactory(
        short_name="Räddningstjänsten", kind=Organisation.Kind.OTHER, municipalities=["Jönköping", "Habo", "Mullsjö"]
    )
    world.patrol.organisations.add(rescue)
    signed = PromiseFactory(municipality="Habo", year=2022)
    signed.parties.set([world.police, rescue])
    # Jönköping counts the one type the rescue service logs and it did not sign: nothing to log there.
    mullsjo = PromiseFactory(municipality="Mullsjö", year=2022)
    mullsjo.parties.set([world.police])
    # Mullsjö counts it too, with a target of no area yet: nothing to log there either.
    TargetFactory(commitment__section__promise=mullsjo, activity_type=world.patrol, areas=[])
    # Värnamo it signed, but does not work there.
    elsewhere = PromiseFactory(municipality="Värnamo", year=2022)
    elsewhere.parties.set([rescue])
    context = ActivityContext.load(organisation_id=rescue.pk)
    assert list(context.promises.values()) == [signed]
    assert context.types_by_organisation == {rescue.pk: {world.patrol.pk}}


def test_context_keeps_a_promise_a_non_party_logs_uncounted_types_on():
    world = World(year=2022)
    housing = OrganisationFactory(short_name="Vätterhem", name="Vätterhem", kind=Organisation.Kind.HOUSING)
    world.measure.organisations.add(housing)
    context = ActivityContext.load(organisation_id=housing.pk)
    assert list(context.promises.values()) == [world.promise]


def test_a_promise_outside_the_context_still_gets_the_rules_own_message(client, loads):
    world = World(year=2022)
    rescue = OrganisationFactory(short_name="Räddningstjänsten", name="Räddningstjänsten")
    world.patrol.organisations.add(rescue)
    world.promise.parties.add(rescue)
    earlier = PromiseFactory(year=2021, status=Promise.Status.ACTIVE)
    earlier.parties.set([world.police])
    TargetFactory(commitment__section__promise=earlier, activity_type=world.patrol, areas=[world.raslatt])
    client.force_login(staff_user(organisation=rescue))
    response = client.post(
        reverse("activity_log", args=["fotpatrull"]), _post(world, world.raslatt) | {"date": "2021-03-01"}
    )
    assert response.status_code == 200
    message = ACTIVITY_NOT_A_PARTY % {
        "organisation": "Räddningstjänsten",
        "municipality": "Jönköping",
        "year": 2021,
        "type": world.patrol,
    }
    assert response.context["form"].non_field_errors() == [str(message)]
    assert Activity.objects.count() == 0
    # The form's context holds 2022 only; the service looked the 2021 promise up itself.
    assert [call.get("years") for call in loads] == [None, [2021]]


def test_a_new_target_area_is_offered_and_accepted_on_the_next_request(client, django_capture_on_commit_callbacks):
    world = World(year=2022)
    client.force_login(world.officer)
    url = reverse("activity_log", args=["fotpatrull"])

    def counted():
        return [area.pk for area in client.get(url).context["form"].area_choices.counted]

    assert counted() == [world.raslatt.pk]  # now cached
    with django_capture_on_commit_callbacks(execute=True):  # the new revision comes after commit
        target_areas_set(target=world.patrol_target, areas=[world.raslatt, world.oxnehaga])
    assert sorted(counted()) == sorted([world.raslatt.pk, world.oxnehaga.pk])
    response = client.post(url, _post(world, world.oxnehaga))
    assert response.status_code == 302
    assert Activity.objects.get().area == world.oxnehaga


def test_a_new_promise_is_in_the_next_requests_context(client):
    world = World(year=2022)
    client.force_login(world.officer)
    url = reverse("activity_log", args=["fotpatrull"])
    client.get(url)
    area = AreaFactory(municipality="Habo", name="Centrum", slug="centrum")
    promise = PromiseFactory(municipality="Habo", year=2022, status=Promise.Status.ACTIVE)
    promise.parties.set([world.police])
    world.police.municipalities.add(promise.municipality)
    TargetFactory(commitment__section__promise=promise, activity_type=world.patrol, areas=[area])
    counted = client.get(url).context["form"].area_choices.counted
    assert sorted(area.pk for area in counted) == sorted([world.raslatt.pk, area.pk])


def test_rules_are_read_from_the_cache_while_the_revision_stands(django_assert_num_queries):
    world = World(year=2022)
    cache.clear()
    with django_assert_num_queries(7):  # the promises, the types, where it works, what is published, the rules (3)
        ActivityContext.load(organisation_id=world.police.pk)
    with django_assert_num_queries(4):
        context = ActivityContext.load(organisation_id=world.police.pk)
    assert context.target_areas[(world.promise.pk, world.traffic.pk)] == {world.raslatt.pk, world.oxnehaga.pk}
    assert context.parties[world.promise.pk] == {world.police.pk, world.municipality.pk}


def test_a_logged_entry_leaves_the_rules_cached(django_assert_num_queries, django_capture_on_commit_callbacks):
    from promises.services import ActivityData, activity_create

    world = World(year=2022)
    cache.clear()
    ActivityContext.load(area_id=world.raslatt.pk, organisation_id=world.police.pk)  # now cached
    with django_capture_on_commit_callbacks(execute=True):  # the entry's new revision, after commit
        activity_create(user=world.officer, data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=DAY))
    with django_assert_num_queries(4):  # the promises, the types, where it works, what is published
        context = ActivityContext.load(area_id=world.raslatt.pk, organisation_id=world.police.pk)
    assert context.target_areas[(world.promise.pk, world.patrol.pk)] == {world.raslatt.pk}


def test_rules_go_through_redis_as_several_servers_share_them(redis_cache, django_assert_num_queries):  # noqa: F811
    world = World(year=2022)
    ActivityContext.load(organisation_id=world.police.pk)
    keys = [key for key in redis_cache.keys("test:*") if b"activity-rules:" in key]
    assert len(keys) == 1
    with django_assert_num_queries(
        4
    ):  # the promises, the types, where it works, what is published; the rules from Redis
        context = ActivityContext.load(organisation_id=world.police.pk)
    assert context.target_areas[(world.promise.pk, world.patrol.pk)] == {world.raslatt.pk}
    assert context.area(world.raslatt.pk) == world.raslatt


def test_a_tertial_published_a_moment_ago_is_closed_before_the_revision_moves():
    from django.core.exceptions import ValidationError

    from promises.services import ActivityData, activity_check, tertial_lock

    world = World(year=2022)
    ActivityContext.load(organisation_id=world.police.pk)  # the promise's rules now cached
    # Publishing locks the tertial; the new revision comes only after commit, which this
    # test's transaction never reaches: the cached rules still carry the old one.
    tertial_lock(promise=world.promise, tertial=1)
    context = ActivityContext.load(organisation_id=world.police.pk)
    data = ActivityData(activity_type=world.patrol, area=world.raslatt, date=date(2022, 2, 1))
    with pytest.raises(ValidationError) as refused:
        activity_check(data=data, organisation=world.police, user=world.officer, context=context)
    assert refused.value.error_dict["date"][0].code == "published_period"


def test_cadence_due_around_new_year_asks_only_for_this_years_weeks():
    # 2026 has 53 ISO weeks; 1 January 2027 is in 2026-W53, which the 2027 promise never counts.
    last, this = World(year=2026), World(year=2027)
    last.log(last.report, 1, date(2026, 12, 29))
    last.log(last.report, 1, date(2026, 12, 29), area=last.oxnehaga)
    assert cadence_due(user=this.clerk, today=date(2027, 1, 1)) == []
    # On 31 December 2026 the week is 2026's, and both its areas have their situation report.
    assert cadence_due(user=last.clerk, today=date(2026, 12, 31)) == []
    # The first week of 2027: missing in both, until one is logged.
    assert {item.area.name for item in cadence_due(user=this.clerk, today=date(2027, 1, 4))} == {"Råslätt", "Öxnehaga"}
    this.log(this.report, 1, date(2027, 1, 4))
    assert [item.area.name for item in cadence_due(user=this.clerk, today=date(2027, 1, 5))] == ["Öxnehaga"]
