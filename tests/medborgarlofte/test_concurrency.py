"""Concurrency on a real PostgreSQL: simultaneous submissions and simultaneous approvals.

SQLite serialises every write, so these run only with DATABASE_URL=postgres://... (CI runs
the suite on both).
"""

import threading
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from followup.models import Approval, Publication
from followup.services import tertial_approve
from promises.models import Activity
from promises.periods import Tertial
from tests.factories import World

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"),
]


def _run_together(functions) -> list:
    """Start every function at the same moment in its own thread; return results or exceptions."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # collected and asserted on by the caller
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_50_simultaneous_submissions_land_exactly_once():
    world = World()
    keys = [str(uuid.uuid4()) for _ in range(40)]
    # 40 different forms, and 10 of them posted a second time at the same moment (double clicks).
    submissions = keys + keys[:10]
    url = reverse("activity_log", args=["fotpatrull"])

    def submit(key):
        def post():
            client = Client()
            client.force_login(world.officer)
            response = client.post(
                url,
                {"area": world.raslatt.pk, "date": world.today.isoformat(), "quantity": "1", "submission_key": key},
            )
            return response.status_code

        return post

    results = _run_together([submit(key) for key in submissions])
    assert results == [302] * 50
    assert Activity.objects.count() == 40
    assert sorted(str(k) for k in Activity.objects.values_list("submission_key", flat=True)) == sorted(keys)


def test_two_managers_approving_at_the_same_moment_publish_once():
    world = World(year=2022)
    tertial = Tertial(2022, 1)
    results = _run_together(
        [
            lambda: tertial_approve(promise=world.promise, tertial=tertial, user=world.manager),
            lambda: tertial_approve(promise=world.promise, tertial=tertial, user=world.municipal_manager),
            lambda: tertial_approve(promise=world.promise, tertial=tertial, user=world.manager),
            lambda: tertial_approve(promise=world.promise, tertial=tertial, user=world.municipal_manager),
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Publication.objects.filter(promise=world.promise, tertial=1).count() == 1
    assert Approval.objects.filter(promise=world.promise, tertial=1, version=1).count() == 2
    published = [r.publication for r in results if r.publication is not None]
    assert {p.pk for p in published} == {Publication.objects.get().pk}


def test_simultaneous_corrections_make_one_new_version():
    world = World(year=2022)
    tertial = Tertial(2022, 1)
    for user in (world.manager, world.municipal_manager):
        tertial_approve(promise=world.promise, tertial=tertial, user=user)
    Activity.objects.create(
        promise=world.promise,
        activity_type=world.patrol,
        area=world.raslatt,
        date=date(2022, 3, 1),
        organisation=world.police,
        created_by=world.manager,
    )
    _run_together(
        [
            lambda: tertial_approve(promise=world.promise, tertial=tertial, user=world.manager, reason="Rättelse."),
            lambda: tertial_approve(
                promise=world.promise, tertial=tertial, user=world.municipal_manager, reason="Rättelse."
            ),
        ]
    )
    assert list(Publication.objects.order_by("version").values_list("version", flat=True)) == [1, 2]


def test_simultaneous_edits_and_a_delete_from_stale_copies_keep_the_figures_right():
    from django.core.exceptions import ValidationError

    from promises.services import ACTIVITY_GONE, ActivityData, activity_create, activity_delete, activity_update
    from tests.factories import figures_match_activities

    world = World(year=2022)

    def data(quantity: int, day: date) -> ActivityData:
        return ActivityData(activity_type=world.patrol, area=world.raslatt, date=day, quantity=quantity)

    entry = activity_create(user=world.officer, data=data(1, date(2022, 3, 1)))
    copies = [Activity.objects.get(pk=entry.pk) for _ in range(9)]
    edits = [
        (
            lambda copy=copy, i=i: activity_update(
                activity=copy, user=world.officer, data=data(i + 2, date(2022, 1 + i, 1))
            )
        )
        for i, copy in enumerate(copies[:8])
    ]
    delete = [lambda: activity_delete(activity=copies[8], user=world.officer)]
    results = _run_together(edits + delete)
    unexpected = [
        r
        for r in results
        if isinstance(r, Exception) and not (isinstance(r, ValidationError) and r.messages == [str(ACTIVITY_GONE)])
    ]
    assert unexpected == []
    assert Activity.objects.count() == 0  # the delete won, whenever it ran: nothing brought it back
    assert figures_match_activities()


def test_the_same_idempotency_key_sent_at_the_same_moment_saves_one_batch(settings):
    """Ten retries of one API batch at once: the database's unique key lets one save it, the
    others wait for it and answer with its result."""
    import json

    from promises.models import IdempotencyRecord
    from promises.services import api_token_create

    settings.API_RATE_LIMIT = "1000/minute"
    world = World(year=2022)
    key = api_token_create(organisation=world.police, name="RAR")[1]
    batch = [{"activity_type": "fotpatrull", "area": "Råslätt", "date": f"2022-03-{day:02d}"} for day in range(1, 21)]

    def post():
        response = Client().post(
            "/api/v1/activities/",
            data=json.dumps(batch),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Api-Key {key}",
            HTTP_IDEMPOTENCY_KEY="samma-batch",
        )
        return response.status_code, response.json()

    results = _run_together([post] * 10)
    assert {status for status, _body in results} == {201}
    assert [body for _status, body in results] == [results[0][1]] * 10
    assert Activity.objects.count() == 20
    assert IdempotencyRecord.objects.count() == 1
