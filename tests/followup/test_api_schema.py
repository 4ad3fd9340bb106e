"""Property test of the API against its own OpenAPI description (schemathesis): whatever the
open data is asked (year, tertial, format) and whatever is sent to the write API (bodies,
filters, cursors, idempotency keys, with its token), no 500 and no answer that breaks the
schema."""

from datetime import date

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from followup.services import tertial_approve
from promises.periods import Tertial
from promises.services import api_token_create
from tests.factories import ActivityFactory, World

YEAR = 2022
WRITE_API = "/api/v1/activities/"


@pytest.fixture
def world(db):
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
    return world


@pytest.fixture
def api_key(world, settings):
    settings.API_RATE_LIMIT = "100000/minute"  # generated requests, not a client to slow down
    return api_token_create(organisation=world.police, name="Schemathesis")[1]


@pytest.fixture
def api_schema(world):
    from medborgarlofte.wsgi import application

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
    operations = sorted((operation.path, operation.method.upper()) for operation in _operations(api_schema))
    assert operations == [
        (WRITE_API, "GET"),
        (WRITE_API, "POST"),
        ("/api/v1/municipalities/{municipality}/promises/", "GET"),
        ("/api/v1/municipalities/{municipality}/promises/{year}/", "GET"),
        ("/api/v1/municipalities/{municipality}/promises/{year}/followups/{tertial}/", "GET"),
        ("/api/v1/promises/", "GET"),
    ]


def _conforms(operation, *, headers: dict | None = None, excluded: list | None = None) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(headers=headers, excluded_checks=excluded or [])

    check()


def test_api_conforms_to_its_schema(api_schema, api_key):
    """Generated requests for every operation; each answer is checked against the schema.
    The write API's are sent with a valid token (without one, every answer is the same 401).
    A request the schema allows may still be refused there (a name no area has, a rule of the
    promise): a 400 is checked against the schema, but not counted as a failure."""
    for operation in _operations(api_schema):
        if operation.path == WRITE_API:
            _conforms(
                operation,
                headers={"Authorization": f"Api-Key {api_key}"},
                excluded=[schemathesis.checks.positive_data_acceptance],
            )
        else:
            _conforms(operation)
