"""The activity summary matches a recomputation from the raw activities, whatever happens:
creates, edits, deletes, imports and managers' corrections to published periods."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from followup.models import Publication
from promises.importing import COLUMNS, import_preview, import_save
from promises.models import Activity, ActivitySummary
from promises.services import ActivityData, activity_create, activity_delete, activity_update
from promises.summary import summary_matches_activities, summary_rebuild
from tests.factories import World

YEAR = 2022
DAYS = st.integers(0, 364).map(lambda n: date(YEAR, 1, 1) + timedelta(days=n))

operation = st.one_of(
    st.tuples(st.just("create"), DAYS, st.integers(1, 5), st.booleans(), st.sampled_from(["patrol", "drugs"])),
    st.tuples(st.just("edit"), st.integers(0, 50), DAYS, st.integers(1, 5), st.booleans()),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("import"), st.lists(st.tuples(DAYS, st.integers(1, 3)), min_size=1, max_size=5)),
    st.tuples(st.just("publish_t1")),
)


class SummaryPropertyTest(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(operations=st.lists(operation, max_size=12))
    def test_summary_matches_a_recomputation_after_any_writes(self, operations):
        world = World(year=YEAR)
        types = {"patrol": world.patrol, "drugs": world.drugs}
        for op in operations:
            kind = op[0]
            if kind == "create":
                _, day, quantity, flag, type_name = op
                activity_type = types[type_name]
                activity_create(
                    user=world.manager,
                    data=ActivityData(
                        activity_type=activity_type,
                        area=world.raslatt,
                        date=day,
                        quantity=quantity,
                        first_time_user=flag if activity_type.has_first_time_user else None,
                    ),
                )
            elif kind in ("edit", "delete"):
                activities = list(Activity.objects.order_by("pk"))
                if not activities:
                    continue
                activity = activities[op[1] % len(activities)]
                if kind == "delete":
                    activity_delete(activity=activity, user=world.manager)
                    continue
                _, _, day, quantity, flag = op
                activity_update(
                    activity=activity,
                    user=world.manager,
                    data=ActivityData(
                        activity_type=activity.activity_type,
                        area=activity.area,
                        date=day,
                        quantity=quantity,
                        first_time_user=flag if activity.activity_type.has_first_time_user else None,
                    ),
                )
            elif kind == "import":
                lines = [";".join(COLUMNS)] + [f"{day.isoformat()};fotpatrull;Råslätt;{q};;;;" for day, q in op[1]]
                preview = import_preview(raw="\n".join(lines).encode(), file_name="x.csv", user=world.manager)
                assert preview.errors == []
                import_save(preview=preview, user=world.manager)
            elif kind == "publish_t1" and not Publication.objects.exists():
                # Later edits by managers then correct a published period.
                Publication.objects.create(
                    promise=world.promise, tertial=1, version=1, published_at="2022-05-15T10:00Z", snapshot={}
                )
        assert summary_matches_activities()


@pytest.mark.django_db
def test_summary_rebuild_recreates_it_from_the_activities():
    world = World(year=YEAR)
    for day in (date(YEAR, 1, 3), date(YEAR, 1, 31), date(YEAR, 2, 1)):
        activity_create(user=world.manager, data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=day))
    ActivitySummary.objects.update(total=999)
    assert not summary_matches_activities()
    assert summary_rebuild() == 3  # week 5 of 2022 spans January and February: two rows
    assert summary_matches_activities()
