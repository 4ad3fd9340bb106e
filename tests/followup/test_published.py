from dataclasses import fields
from datetime import date

import pytest
from django.urls import reverse

from followup.published import FINAL_ONLY, PUBLIC_ONLY, PublishedTarget
from tests.factories import World

pytestmark = pytest.mark.django_db


def _hidden_from_api() -> set[str]:
    return {f.name for f in fields(PublishedTarget) if not f.metadata["api"]}


def test_published_target_every_snapshot_key_reaches_the_api(client):
    """A key added to the snapshot must reach the API, or be excluded there on purpose."""
    world = World(year=2022)
    world.log(world.patrol, 30, date(2022, 2, 1))
    world.publish(1)
    snapshot = world.promise.publications.get().snapshot["targets"][0]
    data = client.get(reverse("api:followup", args=["0680", 2022, 1])).json()
    api_keys = set(data["targets"][0])
    assert set(snapshot) - _hidden_from_api() <= api_keys
    assert api_keys == {f.name for f in fields(PublishedTarget)} - _hidden_from_api()


def test_published_target_snapshot_keeps_public_and_final_keys_out_while_the_year_runs():
    world = World(year=2022)
    world.publish(1)
    snapshot = world.promise.publications.get().snapshot["targets"][0]
    assert not set(snapshot) & (PUBLIC_ONLY | FINAL_ONLY)
    assert set(snapshot) == {f.name for f in fields(PublishedTarget)} - PUBLIC_ONLY - FINAL_ONLY


def test_published_target_reads_an_older_snapshot_with_defaults():
    world = World(year=2022)
    world.publish(1)
    old = dict(world.promise.publications.get().snapshot["targets"][0])
    del old["area_year_to_date"]  # not in snapshots published before area pages
    target = PublishedTarget.from_snapshot(old)
    assert target.area_year_to_date == {}
    assert target.final is False


def test_published_target_reads_an_older_snapshots_expected_and_forecast_counts_whole():
    # Published before the engine gave them whole: 532.6 must read 533 on every page and file.
    world = World(year=2022)
    world.publish(1)
    snapshot = world.promise.publications.get().snapshot["targets"]
    count = dict(next(t for t in snapshot if t["unit"] == "count"), expected=532.6, forecast=867.5)
    share = dict(count, kind="share", unit="percent", expected=20.0, forecast=18.4)
    assert (PublishedTarget.from_snapshot(count).expected, PublishedTarget.from_snapshot(count).forecast) == (
        533.0,
        868.0,
    )
    assert PublishedTarget.from_snapshot(share).forecast == 18.4  # a share keeps its decimal
