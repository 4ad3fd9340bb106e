"""Property test of the open-data API against its own OpenAPI description (schemathesis):
whatever the year, tertial or format asked for, no 500 and no answer that breaks the schema."""

from datetime import date

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from followup.services import tertial_approve
from promises.periods import Tertial
from tests.factories import ActivityFactory, World

YEAR = 2022


@pytest.fixture
def api_schema(db):
    from medborgarlofte.wsgi import application

    cache.clear()
    world = World(year=YEAR)
    world.patrol.is_sensitive = True
    world.patrol.save()
    ActivityFactory(
        promise=world.promise,
        activity_type=world.patrol,
        area=world.raslatt,
        date=date(YEAR, 2, 1),
        quantity=2,
        created_by=world.officer,
    )
    for user in (world.manager, world.municipal_manager):
        tertial_approve(promise=world.promise, tertial=Tertial(YEAR, 1), user=user)
    # As Django's test client does: the test's transaction must survive each request's end.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def test_api_schema_lists_every_endpoint(api_schema):
    paths = sorted(operation.path for operation in _operations(api_schema))
    assert paths == ["/api/v1/promises/", "/api/v1/promises/{year}/", "/api/v1/promises/{year}/followups/{tertial}/"]


def test_api_conforms_to_its_schema(api_schema):
    """Generated requests for every operation; each answer is checked against the schema."""
    for operation in _operations(api_schema):

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate()

        check()
