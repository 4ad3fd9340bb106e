"""Each invariant is enforced by the database itself, not only by forms."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from promises.models import Activity, ActivityType, Area, Promise, Target, TargetArea
from tests.factories import (
    ActivityFactory,
    ActivityTypeFactory,
    AreaFactory,
    CommitmentFactory,
    PromiseFactory,
    TargetFactory,
    municipality,
)

pytestmark = pytest.mark.django_db


def _rejected(**update):
    """Apply an update straight in SQL (no model validation) and expect the database to refuse."""

    def check(queryset):
        with pytest.raises(IntegrityError), transaction.atomic():
            queryset.update(**update)

    return check


def test_activity_quantity_zero_rejected_by_database():
    activity = ActivityFactory()
    _rejected(quantity=0)(Activity.objects.filter(pk=activity.pk))


def test_activity_duration_zero_rejected_by_database():
    activity = ActivityFactory()
    _rejected(duration_minutes=0)(Activity.objects.filter(pk=activity.pk))


def test_activity_type_max_quantity_zero_rejected_by_database():
    activity_type = ActivityTypeFactory()
    _rejected(max_quantity=0)(ActivityType.objects.filter(pk=activity_type.pk))


def test_activity_type_min_duration_without_duration_rejected_by_database():
    activity_type = ActivityTypeFactory(has_duration=False)
    _rejected(min_duration_minutes=20)(ActivityType.objects.filter(pk=activity_type.pk))


def test_count_target_zero_rejected_by_database():
    target = TargetFactory(count=5)
    _rejected(count=0)(Target.objects.filter(pk=target.pk))


def test_count_target_without_activity_type_rejected_by_database():
    target = TargetFactory()
    _rejected(activity_type=None)(Target.objects.filter(pk=target.pk))


@pytest.mark.parametrize("percent", [Decimal("0"), Decimal("100.01"), Decimal("-5")])
def test_share_target_percent_out_of_range_rejected_by_database(percent):
    parent = TargetFactory()
    share = TargetFactory(
        commitment=parent.commitment, kind=Target.Kind.SHARE, count=None, parent=parent, share_percent=20
    )
    _rejected(share_percent=percent)(Target.objects.filter(pk=share.pk))


def test_share_target_at_exactly_100_percent_accepted():
    parent = TargetFactory()
    share = TargetFactory(
        commitment=parent.commitment, kind=Target.Kind.SHARE, count=None, parent=parent, share_percent=100
    )
    assert Target.objects.get(pk=share.pk).share_percent == Decimal("100")


def test_share_target_without_parent_rejected_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetFactory(kind=Target.Kind.SHARE, count=None, share_percent=20, parent=None)


def test_cadence_target_without_period_rejected_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetFactory(kind=Target.Kind.CADENCE, count=None, period="")


def test_qualitative_target_with_count_rejected_by_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetFactory(kind=Target.Kind.QUALITATIVE, activity_type=None, count=10)


def test_qualitative_target_without_numbers_accepted():
    target = TargetFactory(kind=Target.Kind.QUALITATIVE, activity_type=None, count=None)
    assert Target.objects.get(pk=target.pk).kind == Target.Kind.QUALITATIVE


def test_target_area_listed_twice_rejected_by_database():
    area = AreaFactory()
    target = TargetFactory(areas=[area])
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetArea.objects.create(target=target, area=area)


def test_target_key_unique_within_commitment():
    commitment = CommitmentFactory()
    TargetFactory(commitment=commitment, key="fotpatrull")
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetFactory(commitment=commitment, key="fotpatrull")


def test_promise_one_per_municipality_and_year():
    PromiseFactory(municipality="Jönköping", year=2022)
    with pytest.raises(IntegrityError), transaction.atomic():
        Promise.objects.create(municipality=municipality("Jönköping"), year=2022, title="Igen", general_commitment="x")


def test_promise_implausible_year_rejected_by_database():
    promise = PromiseFactory()
    _rejected(year=1999)(Promise.objects.filter(pk=promise.pk))


def test_area_name_unique_within_municipality():
    AreaFactory(municipality="Jönköping", name="Råslätt", slug="raslatt")
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(municipality=municipality("Jönköping"), name="Råslätt", slug="raslatt-2")


def test_area_same_name_in_other_municipality_accepted():
    AreaFactory(municipality="Jönköping", name="Centrum", slug="centrum")
    other = Area.objects.create(municipality=municipality("Växjö"), name="Centrum", slug="centrum")
    assert other.pk is not None


def test_area_only_one_whole_municipality_scope():
    Area.objects.create(
        municipality=municipality("Jönköping"), name="Hela kommunen", slug="hela", is_whole_municipality=True
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(
            municipality=municipality("Jönköping"), name="Hela igen", slug="hela-2", is_whole_municipality=True
        )


def test_activity_full_clean_rejects_personal_identity_number_in_note():
    from django.core.exceptions import ValidationError

    activity = ActivityFactory.build(note="Gäller 811218-9876")
    with pytest.raises(ValidationError) as excinfo:
        activity.full_clean(exclude=["promise", "activity_type", "area", "created_by", "organisation"])
    assert "note" in excinfo.value.message_dict


def test_activity_changes_are_recorded_in_history():
    activity = ActivityFactory(quantity=1)
    activity.quantity = 3
    activity.save()
    history = list(activity.history.order_by("history_date").values_list("history_type", "quantity"))
    assert history == [("+", 1), ("~", 3)]
