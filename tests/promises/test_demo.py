from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Exists, Max, Min, OuterRef, Sum

from followup.models import Approval, Publication
from followup.selectors import followup_rows
from promises.models import Activity, ActivityType, Area, Promise, Target, User
from promises.periods import Tertial
from promises.selectors import cadence_due
from promises.services import ActivityData, activity_create

pytestmark = pytest.mark.django_db

SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "medborgarlofte-2022-jonkoping.yaml"


def test_seed_demo_creates_a_user_per_role_and_a_year_of_activity(capsys):
    call_command("load_promise", str(SEED_FILE))
    call_command("seed_demo")
    users = {u.username: sorted(g.name for g in u.groups.all()) for u in User.objects.prefetch_related("groups")}
    assert users == {
        "polis": ["Polispersonal"],
        "kommun": ["Kommunpersonal"],
        "vatterhem": ["Bostadsbolagspersonal"],
        "chef.polis": ["Chefer"],
        "chef.kommun": ["Chefer"],
        "admin": ["Administratörer"],
    }
    assert User.objects.get(username="chef.kommun").check_password("medborgarlofte-demo")
    patrols = Activity.objects.filter(activity_type__code="fotpatrull", area__name="Råslätt", promise__year=2022)
    assert 600 < patrols.aggregate(total=Sum("quantity"))["total"] < 900
    assert patrols.filter(date__year=2022).count() + patrols.filter(promise__year__gt=2022).count() == patrols.count()
    # Every entry was logged by someone whose organisation may log that type.
    allowed = ActivityType.organisations.through.objects.filter(
        activitytype=OuterRef("activity_type"), organisation=OuterRef("organisation")
    )
    assert not Activity.objects.filter(~Exists(allowed)).exists()
    assert "medborgarlofte-demo" in capsys.readouterr().out


def test_seed_demo_twice_adds_nothing():
    call_command("load_promise", str(SEED_FILE))
    call_command("seed_demo")
    before = Activity.objects.count()
    call_command("seed_demo")
    assert Activity.objects.count() == before
    assert Activity.history.count() == before


STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _seed_on(day: date) -> None:
    with time_machine.travel(datetime.combine(day, time(12, 0), tzinfo=STOCKHOLM), tick=False):
        call_command("seed_demo")


def _state() -> dict:
    return {
        "promises": sorted(Promise.objects.values_list("year", "status")),
        "activities": Activity.objects.count(),
        "history": Activity.history.count(),
        "targets": Target.objects.count(),
        "approvals": Approval.objects.count(),
        "publications": sorted(Publication.objects.values_list("promise__year", "tertial", "version")),
    }


@pytest.mark.parametrize(
    ("today", "published"),
    [
        (date(2026, 2, 10), []),
        (date(2026, 6, 15), [1]),
        (date(2026, 11, 28), [1, 2]),
        (date(2026, 12, 31), [1, 2]),
        (date(2027, 1, 2), []),
    ],
)
def test_seed_demo_runs_the_current_year_beside_2022(today, published):
    call_command("load_promise", str(SEED_FILE))
    _seed_on(today)
    old = Promise.objects.get(year=2022)
    running = Promise.objects.get(year=today.year)
    assert running.status == Promise.Status.ACTIVE
    assert list(running.parties.order_by("pk")) == list(old.parties.order_by("pk"))
    targets = Target.objects.filter(commitment__section__promise=running)
    assert sorted(targets.values_list("key", "kind", "count")) == sorted(
        Target.objects.filter(commitment__section__promise=old).values_list("key", "kind", "count")
    )
    span = Activity.objects.filter(promise=running).aggregate(first=Min("date"), last=Max("date"))
    if today.timetuple().tm_yday > 2:
        assert (span["first"], span["last"]) == (date(today.year, 1, 1), today - timedelta(days=1))
    else:
        assert span["first"] is None or date(today.year, 1, 1) <= span["first"] <= span["last"] < today
    assert sorted(Publication.objects.filter(promise=running).values_list("tertial", flat=True)) == published
    # 2022 keeps its published demo year: T1, its correction, and T2.
    assert sorted(Publication.objects.filter(promise=old).values_list("tertial", "version")) == [(1, 1), (1, 2), (2, 1)]
    before = _state()
    _seed_on(today)
    assert _state() == before


def test_seed_demo_running_year_has_due_items_and_staff_can_log_today():
    today = date(2026, 11, 28)
    call_command("load_promise", str(SEED_FILE))
    _seed_on(today)
    running = Promise.objects.get(year=2026)
    with time_machine.travel(datetime.combine(today, time(12, 0), tzinfo=STOCKHOLM), tick=False):
        statuses = {row.result.status for row in followup_rows(promise=running, tertial=Tertial(2026, 3))}
    # Some targets ahead of pace, some behind.
    assert statuses & {"on_track", "achieved"}
    assert statuses & {"at_risk", "behind"}
    kommun = User.objects.get(username="kommun")
    due = {(item.target.activity_type.code, item.area.name) for item in cadence_due(user=kommun, today=today)}
    assert {("lagesbild", "Råslätt"), ("lagesbild", "Öxnehaga")} <= due
    areas = {area.name: area for area in Area.objects.all()}
    with time_machine.travel(datetime.combine(today, time(12, 0), tzinfo=STOCKHOLM), tick=False):
        for username, code, area in [
            ("polis", "fotpatrull", "Råslätt"),
            ("kommun", "lagesbild", "Råslätt"),
            ("vatterhem", "formellt-mote", "Hela Jönköpings kommun"),
        ]:
            activity = activity_create(
                user=User.objects.get(username=username),
                data=ActivityData(activity_type=ActivityType.objects.get(code=code), area=areas[area], date=today),
            )
            assert (activity.promise.year, activity.date) == (2026, today)


def test_seed_demo_publishes_an_invented_2021_marked_as_demo(client):
    call_command("load_promise", str(SEED_FILE))
    _seed_on(date(2026, 11, 28))
    earlier = Promise.objects.get(year=2021)
    assert earlier.is_demo
    assert not Promise.objects.get(year=2022).is_demo
    assert earlier.status == Promise.Status.CLOSED  # the year takes no more entries
    assert sorted(Publication.objects.filter(promise=earlier).values_list("tertial", "version")) == [
        (1, 1),
        (2, 1),
        (3, 1),
    ]
    patrols = Activity.objects.filter(promise=earlier, activity_type__code="fotpatrull", area__name="Råslätt")
    assert 600 < patrols.aggregate(total=Sum("quantity"))["total"] < 900
    final = Publication.objects.get(promise=earlier, tertial=3).snapshot
    assert all(t["final"] for t in final["targets"])
    body = client.get("/jonkoping/2022/").content.decode()
    assert "Jämfört med tidigare år" in body
    assert '2021 <span class="demo-label"' in body
