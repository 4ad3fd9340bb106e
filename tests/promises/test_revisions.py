"""A promise's revision: a new value that never comes back, moved only by writes, after commit."""

import copy
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.urls import reverse

from followup.services import target_comment_save, tertial_approve
from promises.importing import COLUMNS, import_preview, import_save
from promises.loader import promise_load
from promises.models import Activity, Promise, Target
from promises.periods import Tertial
from promises.revisions import promise_changed
from promises.services import ActivityData, activity_create, activity_delete, activity_update, target_areas_set
from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022
SEED = Path(__file__).resolve().parents[2] / "data" / "medborgarlofte-2022-jonkoping.yaml"


def _revision(promise: Promise):
    return Promise.objects.values_list("revision", flat=True).get(pk=promise.pk)


def _rules_revision(promise: Promise):
    return Promise.objects.values_list("rules_revision", flat=True).get(pk=promise.pk)


def test_promise_changed_gives_a_new_revision_after_commit_never_before(django_capture_on_commit_callbacks):
    world = World(year=YEAR)
    seen = {_revision(world.promise)}
    for _ in range(20):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            promise_changed([world.promise.pk, None])
            assert _revision(world.promise) in seen  # not yet: the transaction has not committed
        assert len(callbacks) == 1
        seen.add(_revision(world.promise))
    assert len(seen) == 21  # never the same value twice


def test_every_activity_service_moves_the_revision(django_capture_on_commit_callbacks):
    world = World(year=YEAR)
    data = ActivityData(activity_type=world.patrol, area=world.raslatt, date=date(YEAR, 3, 1))
    seen = [_revision(world.promise)]
    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_create(user=world.manager, data=data)
    seen.append(_revision(world.promise))
    with django_capture_on_commit_callbacks(execute=True):
        activity_update(activity=activity, user=world.manager, data=ActivityData(**{**data.__dict__, "quantity": 2}))
    seen.append(_revision(world.promise))
    with django_capture_on_commit_callbacks(execute=True):
        activity_delete(activity=activity, user=world.manager)
    seen.append(_revision(world.promise))
    lines = [";".join(COLUMNS), "2022-03-02;fotpatrull;Råslätt;2;;;;"]
    preview = import_preview(raw="\n".join(lines).encode(), file_name="a.csv", user=world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        import_save(preview=preview, user=world.manager)
    seen.append(_revision(world.promise))
    assert len(set(seen)) == 5
    assert Activity.objects.count() == 1


def test_entries_leave_the_rules_revision_and_anything_else_moves_it(django_capture_on_commit_callbacks):
    # An entry changes figures, never what the activity rules read: their cache stays valid.
    world = World(year=YEAR)
    rules = _rules_revision(world.promise)
    data = ActivityData(activity_type=world.patrol, area=world.raslatt, date=date(YEAR, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_create(user=world.manager, data=data)
    with django_capture_on_commit_callbacks(execute=True):
        activity_update(activity=activity, user=world.manager, data=ActivityData(**{**data.__dict__, "quantity": 2}))
    with django_capture_on_commit_callbacks(execute=True):
        activity_delete(activity=activity, user=world.manager)
    lines = [";".join(COLUMNS), "2022-03-02;fotpatrull;Råslätt;2;;;;"]
    preview = import_preview(raw="\n".join(lines).encode(), file_name="a.csv", user=world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        import_save(preview=preview, user=world.manager)
    assert _rules_revision(world.promise) == rules
    with django_capture_on_commit_callbacks(execute=True):
        target_areas_set(target=world.patrol_target, areas=[world.raslatt, world.oxnehaga])
    assert _rules_revision(world.promise) != rules
    moved = _rules_revision(world.promise)
    with django_capture_on_commit_callbacks(execute=True):
        promise_changed([world.promise.pk])
    assert _rules_revision(world.promise) not in {rules, moved}


def test_comments_and_approvals_move_the_revision(django_capture_on_commit_callbacks):
    world = World(year=YEAR)
    before = _revision(world.promise)
    with django_capture_on_commit_callbacks(execute=True):
        target_comment_save(target=world.patrol_target, tertial=1, user=world.manager, analysis="Bra.", measures="")
    after_comment = _revision(world.promise)
    with (
        time_machine.travel(datetime(YEAR, 5, 10, 12, tzinfo=ZoneInfo("Europe/Stockholm")), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tertial_approve(promise=world.promise, tertial=Tertial(YEAR, 1), user=world.manager)
    assert len({before, after_comment, _revision(world.promise)}) == 3


def test_loader_adding_an_area_to_a_target_moves_the_revision(django_capture_on_commit_callbacks):
    # The area is written with bulk_create, which sends no signal: the loader says so itself.
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    promise = promise_load(data=copy.deepcopy(data)).promise
    before = _revision(promise)
    with django_capture_on_commit_callbacks(execute=True):
        report = promise_load(data=copy.deepcopy(data))
    assert (report.created, report.updated, _revision(promise)) == (0, 0, before)  # nothing changed, same key
    bos = next(
        t
        for s in data["promise"]["sections"]
        for c in s["commitments"]
        for t in c.get("targets", [])
        if t["key"] == "bos-moten"
    )
    bos["areas"].append("Ekhagen")
    with django_capture_on_commit_callbacks(execute=True):
        promise_load(data=data)
    assert _revision(promise) != before


def test_admin_delete_moves_the_revision(client, django_capture_on_commit_callbacks):
    world = World(year=YEAR)
    commitment = world.patrol_target.commitment
    client.force_login(world.manager.__class__.objects.create_superuser("root", password="x"))
    before = _revision(world.promise)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:promises_commitment_delete", args=[commitment.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Target.objects.exists()
    assert _revision(world.promise) != before
