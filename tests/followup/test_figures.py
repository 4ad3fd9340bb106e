"""Every figure equals a recomputation from the raw activities, whatever happens to them:
creates, edits from stale copies, deletes (also followed by a stale edit), queryset
`.update()`, imports, loader changes to a target's areas and managers' corrections to a
published period. And the cached dashboard always equals a freshly computed one."""

import copy
import re
from contextlib import suppress
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from followup.engine import target_result
from followup.models import Publication
from followup.selectors import (
    _spec,
    coverage,
    followup_is_final,
    followup_rows,
    month_totals,
    promise_targets,
    target_daily_totals,
)
from promises.importing import COLUMNS, import_preview, import_save
from promises.loader import promise_load
from promises.models import Activity, ActivityType, Area, Organisation, Target
from promises.periods import Tertial
from promises.revisions import promise_changed
from promises.services import ActivityData, activity_create, activity_delete, activity_update
from tests.factories import ActivityFactory, World, manager_user

YEAR = 2022
SEED = Path(__file__).resolve().parents[2] / "data" / "medborgarlofte-2022-jonkoping.yaml"
DATA = yaml.safe_load(SEED.read_text(encoding="utf-8"))
AFTER_THE_YEAR = datetime(YEAR + 1, 1, 15, 12, tzinfo=ZoneInfo("Europe/Stockholm"))
# What police managers log, and where each is followed up (ekhagen only once the loader adds it).
WHERE = {
    "fotpatrull": ["Råslätt", "Öxnehaga"],
    "narkotikabrott": ["Råslätt", "Österängen"],
    "lagesbild": ["Råslätt", "Huskvarna"],
    "bos-mote": ["Råslätt", "Öxnehaga", "Ekhagen"],
}

DAYS = st.integers(0, 364).map(lambda n: date(YEAR, 1, 1) + timedelta(days=n))
INDEX = st.integers(0, 60)
create = st.tuples(
    st.just("create"), st.sampled_from(sorted(WHERE)), st.integers(0, 2), DAYS, st.integers(1, 5), st.booleans()
)
operation = st.one_of(
    create,
    st.tuples(st.just("stale_edits"), INDEX, DAYS, DAYS, st.integers(1, 5), st.integers(1, 5)),
    st.tuples(st.just("delete"), INDEX),
    st.tuples(st.just("delete_then_stale_edit"), INDEX, DAYS),
    st.tuples(st.just("queryset_update"), INDEX, st.integers(1, 9), DAYS),
    st.tuples(st.just("import"), st.lists(st.tuples(DAYS, st.integers(1, 3)), min_size=1, max_size=4)),
    st.tuples(st.just("loader_toggles_ekhagen")),
    st.tuples(st.just("publish_t1")),
)


def recomputed(promise) -> tuple[dict, dict]:
    """Month totals and cadence coverage, summed in Python from the raw rows."""
    totals: dict = {}
    weeks: dict = {}
    months: dict = {}
    rows = Activity.objects.filter(promise=promise).values_list(
        "activity_type_id", "area_id", "date", "quantity", "first_time_user"
    )
    for type_id, area_id, day, quantity, flag in rows:
        key = (type_id, area_id, day.month)
        total, flagged = totals.get(key, (0, 0))
        totals[key] = (total + quantity, flagged + (quantity if flag else 0))
        iso = day.isocalendar()
        weeks.setdefault((type_id, area_id), set()).add((iso.year, iso.week))
        months.setdefault((type_id, area_id), set()).add((day.year, day.month))
    return totals, {"week": weeks, "month": months}


def _data(activity: Activity, **changes) -> ActivityData:
    values = {
        "activity_type": activity.activity_type,
        "area": activity.area,
        "date": activity.date,
        "quantity": activity.quantity,
        "first_time_user": activity.first_time_user,
    }
    values.update(changes)
    return ActivityData(**values)


def _without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


class FiguresPropertyTest(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(first=st.lists(create, min_size=1, max_size=4), operations=st.lists(operation, max_size=10))
    def test_figures_equal_a_recomputation_after_any_writes(self, first, operations):
        with time_machine.travel(AFTER_THE_YEAR, tick=False):
            self._run(first + operations)

    def _run(self, operations):
        cache.clear()
        data = copy.deepcopy(DATA)
        promise = promise_load(data=data).promise
        manager = manager_user(organisation=Organisation.objects.get(short_name="Polisen"))
        self.client.force_login(manager)
        world = SimpleNamespace(
            data=data,
            promise=promise,
            manager=manager,
            areas={area.name: area for area in Area.objects.all()},
            types={t.code: t for t in ActivityType.objects.all()},
        )
        for op in operations:
            # A refusal by a rule (an area not followed up, a deleted entry) changes nothing.
            with self.captureOnCommitCallbacks(execute=True), suppress(ValidationError, ObjectDoesNotExist):
                OPERATIONS[op[0]](world, *op[1:])
            self._check(promise)

    def _check(self, promise):
        totals, covered = recomputed(promise)
        assert month_totals(promise=promise) == totals
        cadence_types = set(Target.objects.filter(kind=Target.Kind.CADENCE).values_list("activity_type_id", flat=True))
        expected_coverage = {
            period: {key: keys for key, keys in by_key.items() if key[0] in cadence_types}
            for period, by_key in covered.items()
        }
        assert coverage(promise=promise, type_ids=cadence_types) == expected_coverage

        tertial = Tertial(YEAR, 3)
        targets = promise_targets(promise=promise)
        specs = {t.pk: _spec(t) for t in targets}
        rows = followup_rows(promise=promise, tertial=tertial, as_of=tertial.end)
        for row in rows:
            assert row.result == target_result(
                specs[row.target.pk],
                parent=specs.get(row.target.parent_id),
                totals=totals,
                coverage=expected_coverage.get(row.target.period, {}),
                tertial=tertial,
                as_of=tertial.end,
                manual_status=row.comment.manual_status if row.comment else None,
                risk_threshold=0.8,
                final=followup_is_final(tertial=tertial, as_of=tertial.end),
            )
        patrol = next(t for t in targets if t.key == "fotpatrull-raslatt")
        daily = sum(r["total"] for r in target_daily_totals(target=patrol, promise=promise))
        assert daily == sum(
            v[0] for k, v in totals.items() if k[:2] == (patrol.activity_type_id, patrol.areas.get().pk)
        )

        # The dashboard as cached equals the dashboard computed afresh.
        url = reverse("followup:dashboard") + f"?promise={promise.pk}&tertial=3"
        served = _without_csrf(self.client.get(url))
        cache.clear()
        assert served == _without_csrf(self.client.get(url))


# --- The operations, each as a service (or a bypass of them) would do it ----------------------


def _nth(index: int) -> Activity | None:
    activities = list(Activity.objects.order_by("pk"))
    return activities[index % len(activities)] if activities else None


def _create(w, code, where, day, quantity, flag) -> None:
    activity_type = w.types[code]
    activity_create(
        user=w.manager,
        data=ActivityData(
            activity_type=activity_type,
            area=w.areas[WHERE[code][where % len(WHERE[code])]],
            date=day,
            quantity=quantity,
            first_time_user=flag if activity_type.has_first_time_user else None,
        ),
    )


def _stale_edits(w, index, day, other_day, quantity, other_quantity) -> None:
    # Two managers opened the same entry; both save.
    if activity := _nth(index):
        first, second = Activity.objects.get(pk=activity.pk), Activity.objects.get(pk=activity.pk)
        activity_update(activity=first, user=w.manager, data=_data(first, date=day, quantity=quantity))
        activity_update(activity=second, user=w.manager, data=_data(second, date=other_day, quantity=other_quantity))


def _delete(w, index) -> None:
    if activity := _nth(index):
        activity_delete(activity=activity, user=w.manager)


def _delete_then_stale_edit(w, index, day) -> None:
    if activity := _nth(index):
        stale = Activity.objects.get(pk=activity.pk)
        activity_delete(activity=activity, user=w.manager)
        activity_update(activity=stale, user=w.manager, data=_data(stale, date=day))


def _queryset_update(w, index, quantity, day) -> None:
    # Outside the services; such a write must give the promise a new revision itself.
    if activity := _nth(index):
        Activity.objects.filter(pk=activity.pk).update(quantity=quantity, date=day)
        promise_changed([activity.promise_id])


def _import(w, rows) -> None:
    lines = [";".join(COLUMNS)] + [f"{day.isoformat()};fotpatrull;Råslätt;{q};;;;" for day, q in rows]
    preview = import_preview(raw="\n".join(lines).encode(), file_name="x.csv", user=w.manager)
    assert preview.errors == []
    import_save(preview=preview, user=w.manager)


def _loader_toggles_ekhagen(w) -> None:
    bos = next(
        t
        for s in w.data["promise"]["sections"]
        for c in s["commitments"]
        for t in c.get("targets", [])
        if t["key"] == "bos-moten"
    )
    areas = bos["areas"]
    bos["areas"] = [a for a in areas if a != "Ekhagen"] if "Ekhagen" in areas else [*areas, "Ekhagen"]
    promise_load(data=w.data)


def _publish_t1(w) -> None:
    # Later edits by managers then correct a published period.
    if not Publication.objects.exists():
        Publication.objects.create(
            promise=w.promise, tertial=1, version=1, published_at="2022-05-15T10:00Z", snapshot={}
        )
        promise_changed([w.promise.pk])


OPERATIONS = {
    "create": _create,
    "stale_edits": _stale_edits,
    "delete": _delete,
    "delete_then_stale_edit": _delete_then_stale_edit,
    "queryset_update": _queryset_update,
    "import": _import,
    "loader_toggles_ekhagen": _loader_toggles_ekhagen,
    "publish_t1": _publish_t1,
}


@pytest.mark.django_db
def test_activities_load_with_deferred_fields():
    # A post_init hook that read the quantity used to recurse on deferred loads; none is left.
    world = World(year=YEAR)
    ActivityFactory(promise=world.promise, activity_type=world.patrol, area=world.raslatt, date=date(YEAR, 3, 1))
    assert [a.quantity for a in Activity.objects.only("id")] == [1]
    assert len(Activity.objects.defer("quantity", "date")) == 1
