"""The follow-up figures from the database: right, and from a fixed number of queries."""

import pickle
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.models import Status, TargetComment
from followup.selectors import (
    WARM_AT_MOST,
    OutsideTotal,
    approvals_for,
    coverage,
    default_tertial,
    followup_basis,
    followup_basis_cached,
    followup_basis_warm_on_commit,
    followup_rows,
    month_totals,
    outside_totals,
)
from promises.models import Activity, Target
from promises.periods import Tertial
from tests.factories import ActivityFactory, AreaFactory, CommitmentFactory, SectionFactory, TargetFactory, World

pytestmark = pytest.mark.django_db

YEAR = 2022


def _activity(world: World, activity_type, area, day: date, quantity: int = 1, **extra) -> Activity:
    return ActivityFactory(
        promise=world.promise,
        activity_type=activity_type,
        area=area,
        date=day,
        quantity=quantity,
        created_by=world.officer,
        **extra,
    )


def test_month_totals_group_by_type_area_and_month():
    world = World(year=YEAR)
    _activity(world, world.patrol, world.raslatt, date(YEAR, 1, 5), 2)
    _activity(world, world.patrol, world.raslatt, date(YEAR, 1, 20), 3)
    _activity(world, world.drugs, world.raslatt, date(YEAR, 2, 1), 1, first_time_user=True)
    _activity(world, world.drugs, world.raslatt, date(YEAR, 2, 2), 1, first_time_user=False)
    totals = month_totals(promise=world.promise)
    assert totals == {
        (world.patrol.pk, world.raslatt.pk, 1): (5, 0),
        (world.drugs.pk, world.raslatt.pk, 2): (2, 1),
    }


def test_coverage_weeks_and_months():
    world = World(year=YEAR)
    _activity(world, world.report, world.raslatt, date(YEAR, 1, 1))  # ISO week 2021-W52
    _activity(world, world.report, world.raslatt, date(YEAR, 1, 4))
    covered = coverage(promise=world.promise, type_ids={world.report.pk})
    assert covered["week"] == {(world.report.pk, world.raslatt.pk): {(2021, 52), (2022, 1)}}
    assert covered["month"] == {(world.report.pk, world.raslatt.pk): {(2022, 1)}}


def test_followup_rows_compute_each_kind_end_to_end():
    world = World(year=YEAR)
    for week in range(1, 18):
        if week != 5:
            _activity(world, world.report, world.raslatt, date.fromisocalendar(YEAR, week, 2))
            _activity(world, world.report, world.oxnehaga, date.fromisocalendar(YEAR, week, 3))
    for day in range(10):
        _activity(world, world.drugs, world.raslatt, date(YEAR, 3, 1) + timedelta(days=day), first_time_user=day < 2)
    _activity(world, world.patrol, world.raslatt, date(YEAR, 4, 1), 20)
    share = TargetFactory(
        commitment=world.drugs_target.commitment,
        kind=Target.Kind.SHARE,
        count=None,
        parent=world.drugs_target,
        share_percent=20,
        activity_type=world.drugs,
        areas=[world.raslatt],
    )
    rows = {
        row.target.pk: row.result
        for row in followup_rows(promise=world.promise, tertial=Tertial(YEAR, 1), as_of=date(YEAR, 12, 31))
    }
    assert (rows[world.patrol_target.pk].outcome, rows[world.patrol_target.pk].status) == (20, Status.BEHIND)
    assert (rows[world.drugs_target.pk].outcome, rows[share.pk].outcome) == (10, 20.0)
    assert rows[share.pk].status == Status.ON_TRACK
    cadence = rows[world.report_target.pk]
    assert (cadence.outcome, cadence.expected, cadence.missed) == (
        16,
        17,
        {world.raslatt.pk: ["v. 5"], world.oxnehaga.pk: ["v. 5"]},
    )


def test_followup_rows_empty_tertial():
    world = World(year=YEAR)
    rows = followup_rows(promise=world.promise, tertial=Tertial(YEAR, 2), as_of=date(YEAR, 12, 31))
    assert {row.result.outcome for row in rows if row.target.kind == Target.Kind.COUNT} == {0}


def test_default_tertial_is_the_running_one_or_the_last_of_a_past_year():
    world = World(year=YEAR)
    assert default_tertial(promise=world.promise, today=date(YEAR, 6, 1)) == Tertial(YEAR, 2)
    assert default_tertial(promise=world.promise, today=date(YEAR + 3, 6, 1)) == Tertial(YEAR, 3)


def _queries_for(world: World) -> int:
    with CaptureQueriesContext(connection) as captured:
        followup_rows(promise=world.promise, tertial=Tertial(YEAR, 1), as_of=date(YEAR, 12, 31))
    return len(captured)


@pytest.mark.parametrize("extra_targets", [0, 99])
def test_followup_rows_query_count_does_not_grow_with_targets(extra_targets):
    world = World(year=YEAR)
    baseline = _queries_for(world)
    section = SectionFactory(promise=world.promise)
    for _ in range(extra_targets):
        TargetFactory(
            commitment=CommitmentFactory(section=section),
            activity_type=world.patrol,
            areas=[world.raslatt, world.oxnehaga],
        )
    assert _queries_for(world) == baseline == 6


@pytest.mark.parametrize("activities", [10, 10_000])
def test_followup_rows_query_count_does_not_grow_with_activities(activities):
    world = World(year=YEAR)
    rows = [
        Activity(
            promise=world.promise,
            activity_type=world.patrol if i % 2 else world.report,
            area=world.raslatt if i % 3 else world.oxnehaga,
            date=date(YEAR, 1, 1) + timedelta(days=i % 365),
            quantity=1,
            organisation=world.police,
            created_by=world.officer,
        )
        for i in range(activities)
    ]
    Activity.objects.bulk_create(rows, batch_size=2000)
    assert _queries_for(world) == 6
    # The rows reach what the page reads: the figures come from the activities themselves.
    results = {
        row.target.pk: row.result
        for row in followup_rows(promise=world.promise, tertial=Tertial(YEAR, 1), as_of=date(YEAR, 12, 31))
    }
    in_t1 = [a for a in rows if a.date <= date(YEAR, 4, 30)]
    patrols = sum(a.quantity for a in in_t1 if a.activity_type == world.patrol and a.area == world.raslatt)
    assert results[world.patrol_target.pk].year_to_date == patrols > 0


def test_outside_totals_are_what_no_target_of_the_type_counts_by_area_largest_first():
    world = World(year=YEAR)
    huskvarna = AreaFactory(name="Huskvarna", slug="huskvarna")
    _activity(world, world.patrol, huskvarna, date(YEAR, 2, 1), 20)
    _activity(world, world.patrol, huskvarna, date(YEAR, 3, 1), 20)
    _activity(world, world.patrol, world.oxnehaga, date(YEAR, 3, 1), 3)  # no patrol target there either
    _activity(world, world.patrol, world.raslatt, date(YEAR, 3, 1), 5)  # counted: not outside
    _activity(world, world.traffic, world.oxnehaga, date(YEAR, 3, 1), 2)  # counted by the traffic target
    _activity(world, world.measure, huskvarna, date(YEAR, 3, 1), 1, description="x")  # no count target
    _activity(world, world.patrol, huskvarna, date(YEAR, 6, 1), 9)  # after the day counted to
    assert outside_totals(promise=world.promise, until=date(YEAR, 4, 30)) == {
        world.patrol.pk: [OutsideTotal("Huskvarna", 40), OutsideTotal("Öxnehaga", 3)]
    }
    rows = {row.target.pk: row.result for row in followup_rows(promise=world.promise, tertial=Tertial(YEAR, 1))}
    assert rows[world.patrol_target.pk].year_to_date == 5  # the figure counts only the target's areas
    # Counted to a day in another year: nothing yet before the promise's year, all of it after.
    assert outside_totals(promise=world.promise, until=date(YEAR - 1, 12, 31)) == {}
    assert outside_totals(promise=world.promise, until=date(YEAR + 1, 1, 1)) == {
        world.patrol.pk: [OutsideTotal("Huskvarna", 49), OutsideTotal("Öxnehaga", 3)]
    }


@pytest.mark.parametrize("areas", [1, 30])
def test_outside_totals_is_a_fixed_number_of_queries_whatever_the_data(areas):
    world = World(year=YEAR)
    for i in range(areas):
        area = AreaFactory(name=f"Utanför {i}", slug=f"utanfor-{i}")
        for month in (1, 2, 3):
            _activity(world, world.patrol, area, date(YEAR, month, 1), 1)
    with CaptureQueriesContext(connection) as queries:
        totals = outside_totals(promise=world.promise, until=date(YEAR, 12, 31))
    # The month totals, the targets and their areas, and the names of the areas outside them.
    assert len(queries) == 4
    assert sum(item.total for item in totals[world.patrol.pk]) == 3 * areas
    # A view passes the month totals it has read and the basis it has from the cache: nothing more.
    read = month_totals(promise=world.promise)
    basis = followup_basis_cached(promise=world.promise, tertial=Tertial(YEAR, 3))
    with CaptureQueriesContext(connection) as queries:
        assert outside_totals(promise=world.promise, until=date(YEAR, 12, 31), totals=read, basis=basis) == totals
    assert len(queries) == 0


def test_the_cached_basis_holds_no_password_hash(django_capture_on_commit_callbacks):
    world = World(year=YEAR)
    world.manager.set_password("ett långt lösenord för testet")
    world.manager.save()
    TargetComment.objects.create(target=world.patrol_target, tertial=1, analysis="Bra.", updated_by=world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        world.publish(1)  # both parties' approvals, and the publication
    basis = followup_basis(promise=world.promise, tertial=Tertial(YEAR, 1))
    assert basis.comments[world.patrol_target.pk].updated_by.username == world.manager.username
    kept = pickle.dumps(basis)
    assert world.manager.password.encode() not in kept
    approvals = approvals_for(promise=world.promise, tertial=1, version=1)
    assert approvals
    assert world.manager.password.encode() not in pickle.dumps(approvals)


def test_the_basis_is_warmed_for_a_few_promises_never_for_hundreds(django_capture_on_commit_callbacks):
    # A change of something every promise shows moves hundreds of revisions: their readers
    # read their own basis again, the writer does not read them all.
    world = World(year=YEAR)
    with django_capture_on_commit_callbacks() as few:
        followup_basis_warm_on_commit(promise_ids=[world.promise.pk, None])
    with django_capture_on_commit_callbacks() as many:
        followup_basis_warm_on_commit(promise_ids=range(1, WARM_AT_MOST + 2))
    assert len(few) == 1
    assert many == []


def test_a_basis_that_cannot_be_warmed_costs_the_reader_never_the_writer(
    client, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    world = World(year=YEAR)
    client.force_login(world.manager)

    def broken(**kwargs):
        raise ConnectionError("cache away")

    monkeypatch.setattr("followup.selectors.followup_basis_warm", broken)
    url = reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"analysis": "Sparad ändå.", "measures": ""})
    assert response.status_code == 302
    assert "cache away" in caplog.text
    assert TargetComment.objects.get(target=world.patrol_target, tertial=1).analysis == "Sparad ändå."
    assert (
        "Sparad ändå."
        in client.get(reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=1").content.decode()
    )
