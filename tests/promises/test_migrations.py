"""Municipalities as data (migrations 0009 and 0010): what the free-text fields named is kept."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("promises", "0008_promise_revision_uuid")]
AFTER = [("promises", "0010_municipality_required")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_promises_areas_and_history_point_at_the_municipality_they_named(back_to_latest):
    apps = _migrate(BEFORE)
    Promise = apps.get_model("promises", "Promise")
    Area = apps.get_model("promises", "Area")
    promise = Promise.objects.create(
        municipality="Jönköping", year=2022, title="Medborgarlöfte", general_commitment="…"
    )
    Promise.objects.create(municipality="Habo kommun", year=2023, title="Medborgarlöfte", general_commitment="…")
    apps.get_model("promises", "HistoricalPromise").objects.create(
        id=promise.pk,
        municipality="Jönköping",
        year=2022,
        title="Medborgarlöfte",
        general_commitment="…",
        status="draft",
        history_date="2022-01-10T10:00Z",
        history_type="+",
    )
    Area.objects.create(municipality="Jönköping", name="Råslätt", slug="raslatt")
    Area.objects.create(municipality="JÖNKÖPING", name="Hela kommunen", slug="hela", is_whole_municipality=True)

    apps = _migrate(AFTER)
    Municipality = apps.get_model("promises", "Municipality")
    assert Municipality.objects.count() == 290
    jonkoping = Municipality.objects.get(code="0680")
    assert (jonkoping.name, jonkoping.slug, jonkoping.county) == ("Jönköping", "jonkoping", "Jönköpings län")
    promises = apps.get_model("promises", "Promise").objects.order_by("year")
    assert [(p.year, p.municipality.code) for p in promises] == [(2022, "0680"), (2023, "0643")]
    areas = apps.get_model("promises", "Area").objects.order_by("name")
    assert [(a.name, a.municipality_id) for a in areas] == [("Hela kommunen", jonkoping.pk), ("Råslätt", jonkoping.pk)]
    history = apps.get_model("promises", "HistoricalPromise").objects.get()
    assert history.municipality_id == jonkoping.pk


@pytest.mark.django_db(transaction=True)
def test_a_name_that_is_no_municipality_stops_the_migration_and_says_which(back_to_latest):
    apps = _migrate(BEFORE)
    apps.get_model("promises", "Promise").objects.create(
        municipality="Atlantis", year=2022, title="Medborgarlöfte", general_commitment="…"
    )
    with pytest.raises(RuntimeError, match="Atlantis"):
        _migrate(AFTER)
    # Left as it was, nothing half-linked to repair by hand: fix the name and migrate again.
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    promise = apps.get_model("promises", "Promise").objects.get()
    assert promise.municipality == "Atlantis"
    promise.municipality = "Jönköping"
    promise.save()
    apps = _migrate(AFTER)
    assert apps.get_model("promises", "Promise").objects.get().municipality.code == "0680"
