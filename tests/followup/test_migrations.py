"""Data migrations keep what was there."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("followup", "0001_initial"), ("promises", "0006_published_tertial")]
AFTER = [("followup", "0002_published_tertials_from_publications")]


@pytest.mark.django_db(transaction=True)
def test_published_tertials_are_locked_from_existing_publications():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    promise = apps.get_model("promises", "Promise").objects.create(
        municipality="Jönköping", year=2022, title="Medborgarlöfte", general_commitment="…"
    )
    Publication = apps.get_model("followup", "Publication")
    for tertial, version, reason in ((1, 1, ""), (1, 2, "Rättelse"), (2, 1, "")):
        Publication.objects.create(
            promise=promise,
            tertial=tertial,
            version=version,
            reason=reason,
            published_at="2022-05-15T10:00Z",
            snapshot={},
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    locks = apps.get_model("promises", "PublishedTertial").objects.order_by("tertial")
    assert list(locks.values_list("promise_id", "tertial")) == [(promise.pk, 1), (promise.pk, 2)]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
