"""Edits and deletes from stale copies: the service locks the row and re-reads it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from promises.models import Activity
from promises.services import ACTIVITY_GONE, ActivityData, activity_create, activity_delete, activity_update
from tests.factories import World, figures_match_activities

pytestmark = pytest.mark.django_db

DAY = date(2022, 3, 1)


def _data(world: World, **overrides) -> ActivityData:
    values = {"activity_type": world.patrol, "area": world.raslatt, "date": DAY, "quantity": 1}
    values.update(overrides)
    return ActivityData(**values)


def _entry_and_two_stale_copies(world: World) -> tuple[Activity, Activity]:
    entry = activity_create(user=world.officer, data=_data(world, quantity=2))
    return Activity.objects.get(pk=entry.pk), Activity.objects.get(pk=entry.pk)


def test_two_edits_from_stale_copies_keep_the_figures_equal_to_the_activities():
    world = World(year=2022)
    first, second = _entry_and_two_stale_copies(world)
    activity_update(activity=first, user=world.officer, data=_data(world, quantity=5))
    activity_update(activity=second, user=world.officer, data=_data(world, quantity=7, date=date(2022, 6, 1)))
    entry = Activity.objects.get()
    assert (entry.quantity, entry.date) == (7, date(2022, 6, 1))
    assert figures_match_activities()


def test_an_edit_from_a_stale_copy_of_a_deleted_entry_does_not_bring_it_back():
    world = World(year=2022)
    first, second = _entry_and_two_stale_copies(world)
    activity_delete(activity=first, user=world.officer)
    with pytest.raises(ValidationError) as excinfo:
        activity_update(activity=second, user=world.officer, data=_data(world, quantity=9))
    assert excinfo.value.messages == [str(ACTIVITY_GONE)]
    assert Activity.objects.count() == 0
    assert figures_match_activities()


def test_a_delete_from_a_stale_copy_of_a_deleted_entry_is_explained():
    world = World(year=2022)
    first, second = _entry_and_two_stale_copies(world)
    activity_delete(activity=first, user=world.officer)
    with pytest.raises(ValidationError) as excinfo:
        activity_delete(activity=second, user=world.officer)
    assert excinfo.value.messages == [str(ACTIVITY_GONE)]
    assert Activity.objects.count() == 0
    assert figures_match_activities()


def test_a_delete_from_a_stale_copy_removes_the_edited_entry_and_its_figures():
    world = World(year=2022)
    first, second = _entry_and_two_stale_copies(world)
    activity_update(activity=first, user=world.officer, data=_data(world, quantity=5, area=world.raslatt))
    activity_delete(activity=second, user=world.officer)
    assert Activity.objects.count() == 0
    assert figures_match_activities()


def test_an_edit_whose_rules_fail_saves_nothing_and_says_everything():
    world = World(year=2022)
    first, _second = _entry_and_two_stale_copies(world)
    with pytest.raises(ValidationError) as excinfo:
        activity_update(activity=first, user=world.officer, data=_data(world, area=None, quantity=0))
    assert set(excinfo.value.message_dict) == {"area", "quantity"}
    assert Activity.objects.get().quantity == 2
