"""The activity rules: every mistake in one round, the parties, one run per request."""

import uuid
from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from promises.models import Activity, Municipality, Organisation, Promise
from promises.services import (
    ACTIVITY_AREA_REQUIRED,
    ACTIVITY_DATE_IN_FUTURE,
    ACTIVITY_DESCRIPTION_REQUIRED,
    ACTIVITY_DURATION_TOO_SHORT,
    ACTIVITY_FIRST_TIME_REQUIRED,
    ACTIVITY_NOT_A_PARTY,
    ACTIVITY_QUANTITY_TOO_LARGE,
    ACTIVITY_QUANTITY_TOO_SMALL,
    ActivityData,
    activity_create,
)
from promises.validators import validate_no_personal_identity_number
from tests.factories import (
    AreaFactory,
    OrganisationFactory,
    PromiseFactory,
    TargetFactory,
    World,
    staff_user,
)

pytestmark = pytest.mark.django_db

# A fixed day of a past year: nothing here depends on when the suite runs.
DAY = date(2022, 3, 1)
# One GET of the form: session, the user with their organisation, their permissions (one
# query, promises/auth.py), the type, the rules' context (the organisation's promises, its
# types, the municipalities it serves and the published tertials, read live; each promise's
# rules from the cache).
QUERIES_PER_GET = 8
# One POST: the same, the insert with its history and its savepoints (the database's unique
# submission key guards a second post; no query before the insert). The promise's new revision
# is one UPDATE after commit, which the test's own transaction never reaches.
QUERIES_PER_POST = 12
# The rules of the promises the cache does not hold (a new revision), in one go whatever their number.
QUERIES_PER_RULES_MISS = 3
# The first request after logging in writes the session (at most once a minute after that).
QUERIES_PER_SESSION_WRITE = 3
# One edit POST (the first after logging in): the session, user (with organisation) and
# permissions, the entry
# read for the access check, the rules' context of its municipality (cached), the entry
# locked and re-read, the update with its history, and the session write.
QUERIES_PER_EDIT = 19
PERSONNUMMER = "Gäller 19811218-9876"


def _personnummer_message() -> str:
    try:
        validate_no_personal_identity_number(PERSONNUMMER)
    except ValidationError as exc:
        return exc.messages[0]
    raise AssertionError("the validator let a personnummer through")


def _post(client, world: World, code: str, **fields) -> dict:
    data = {"date": DAY.isoformat(), "quantity": "1", "note": "", "submission_key": str(uuid.uuid4())}
    data.update({name: value for name, value in fields.items() if value is not None})
    for name in [name for name, value in fields.items() if value is None]:
        data.pop(name, None)
    response = client.post(reverse("activity_log", args=[code]), data)
    assert response.status_code == 200
    assert Activity.objects.count() == 0
    return response.context["form"].errors


def test_traffic_control_without_area_and_too_short_shows_both_errors_at_once(client):
    world = World(year=2022)
    client.force_login(world.officer)
    errors = _post(client, world, "trafikkontroll", area=None, duration_minutes="10")
    assert errors == {
        "area": [str(ACTIVITY_AREA_REQUIRED)],
        "duration_minutes": [str(ACTIVITY_DURATION_TOO_SHORT % {"min": 20})],
    }


def test_foot_patrol_in_the_whole_municipality_is_accepted_and_other_errors_shown_at_once(client):
    world = World(year=2022)
    client.force_login(world.officer)
    errors = _post(client, world, "fotpatrull", area=str(world.whole.pk), quantity="0", note=PERSONNUMMER)
    assert errors == {
        "quantity": [str(ACTIVITY_QUANTITY_TOO_SMALL)],
        "note": [_personnummer_message()],
    }


def test_drug_offence_shows_date_area_and_first_time_errors_at_once(client):
    world = World(year=2022)
    client.force_login(world.officer)
    errors = _post(client, world, "narkotikabrott", area=None, date="2999-01-01")
    assert errors == {
        "area": [str(ACTIVITY_AREA_REQUIRED)],
        "date": [str(ACTIVITY_DATE_IN_FUTURE)],
        "first_time_user": [str(ACTIVITY_FIRST_TIME_REQUIRED)],
    }


def test_measure_shows_area_description_and_quantity_errors_at_once(client):
    world = World(year=2022)
    client.force_login(world.officer)
    errors = _post(client, world, "atgard", area=None, quantity="500", description="  ")
    assert errors == {
        "area": [str(ACTIVITY_AREA_REQUIRED)],
        "quantity": [str(ACTIVITY_QUANTITY_TOO_LARGE % {"max": 20})],
        "description": [str(ACTIVITY_DESCRIPTION_REQUIRED % {"type": "åtgärd"})],
    }


def test_situation_report_shows_date_quantity_and_note_errors_at_once(client):
    world = World(year=2022)
    client.force_login(world.clerk)
    errors = _post(
        client, world, "lagesbild", area=str(world.raslatt.pk), date="2022-13-01", quantity="tre", note=PERSONNUMMER
    )
    assert set(errors) == {"date", "quantity", "note"}
    assert errors["note"] == [_personnummer_message()]


def test_service_reports_every_rule_at_once_whatever_their_order():
    """Straight to the service: every rule it owns, all broken in one entry."""
    world = World(year=2022)
    with pytest.raises(ValidationError) as excinfo:
        activity_create(
            user=world.officer,
            data=ActivityData(
                activity_type=world.traffic,
                area=world.whole,
                date=DAY,
                quantity=0,
                duration_minutes=5,
                note=PERSONNUMMER,
                description="x" * 2001,
            ),
        )
    errors = excinfo.value.message_dict
    assert "area" not in errors  # any area of the municipality is accepted (issue 11)
    assert errors["quantity"] == [str(ACTIVITY_QUANTITY_TOO_SMALL)]
    assert errors["duration_minutes"] == [str(ACTIVITY_DURATION_TOO_SHORT % {"min": 20})]
    assert errors["note"] == [_personnummer_message()]
    assert len(errors["description"]) == 1
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(
    ("code", "data", "expected"),
    [
        ("narkotikabrott", {"first_time_user": None}, {"first_time_user": ACTIVITY_FIRST_TIME_REQUIRED}),
        ("atgard", {"description": "", "quantity": 21}, {"description": None, "quantity": ACTIVITY_QUANTITY_TOO_LARGE}),
    ],
)
def test_service_reports_the_type_rules_together(code, data, expected):
    world = World(year=2022)
    activity_type = {"narkotikabrott": world.drugs, "atgard": world.measure}[code]
    with pytest.raises(ValidationError) as excinfo:
        activity_create(
            user=world.officer,
            data=ActivityData(activity_type=activity_type, area=world.raslatt, date=DAY, **data),
        )
    assert set(excinfo.value.message_dict) == set(expected)
    if code == "atgard":
        assert excinfo.value.message_dict["description"] == [str(ACTIVITY_DESCRIPTION_REQUIRED % {"type": "åtgärd"})]


# --- The parties ----------------------------------------------------------------------------


def _housing(world: World) -> Organisation:
    housing = OrganisationFactory(short_name="Vätterhem", name="Vätterhem", kind=Organisation.Kind.HOUSING)
    world.measure.organisations.add(housing)
    world.patrol.organisations.add(housing)
    return housing


def test_an_organisation_that_did_not_sign_may_log_measures():
    world = World(year=2022)
    tenant_staff = staff_user(organisation=_housing(world))
    activity = activity_create(
        user=tenant_staff,
        data=ActivityData(activity_type=world.measure, area=world.raslatt, date=DAY, description="Ny belysning"),
    )
    assert (activity.organisation.short_name, activity.promise) == ("Vätterhem", world.promise)


def test_an_organisation_that_did_not_sign_may_not_add_to_a_counted_figure():
    world = World(year=2022)
    housing = _housing(world)
    with pytest.raises(ValidationError) as excinfo:
        activity_create(
            user=staff_user(organisation=housing),
            data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=DAY),
        )
    assert excinfo.value.message_dict == {
        "activity_type": [
            str(
                ACTIVITY_NOT_A_PARTY
                % {"organisation": "Vätterhem", "municipality": "Jönköping", "year": 2022, "type": world.patrol}
            )
        ]
    }
    assert Activity.objects.count() == 0


def test_a_party_logs_what_its_types_allow():
    world = World(year=2022)
    activity = activity_create(
        user=world.officer, data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=DAY)
    )
    assert activity.promise == world.promise


# --- One run of the rules per request -------------------------------------------------------


def _promises_signed_by_the_police(world: World, count: int) -> None:
    """`count` more active promises in other municipalities, each signed by the officer's
    organisation (the worst case: every one of them is in the officer's context)."""
    others = list(Municipality.objects.exclude(name="Jönköping").order_by("code"))
    for i in range(count):
        promise = PromiseFactory(
            municipality=others[i % len(others)], year=2022 - i // len(others), status=Promise.Status.ACTIVE
        )
        promise.parties.set([world.police])
        TargetFactory(
            commitment__section__promise=promise,
            activity_type=world.patrol,
            areas=[AreaFactory(name=f"Område {i}", slug=f"omrade-{i}", municipality=others[i % len(others)])],
        )


def _log_post(world: World) -> dict:
    return {
        "area": world.raslatt.pk,
        "date": DAY.isoformat(),
        "quantity": "2",
        "note": "",
        "submission_key": str(uuid.uuid4()),
    }


@pytest.mark.parametrize("promises", [1, 300])
def test_activity_log_form_query_count_does_not_grow_with_promises(client, django_assert_num_queries, promises):
    world = World(year=2022)
    _promises_signed_by_the_police(world, promises - 1)
    client.force_login(world.officer)
    url = reverse("activity_log", args=["fotpatrull"])
    cache.clear()
    with django_assert_num_queries(QUERIES_PER_GET + QUERIES_PER_RULES_MISS + QUERIES_PER_SESSION_WRITE):
        response = client.get(url)
    # Every promise is in the context; the choice is the areas of the one municipality it serves.
    assert set(response.context["form"].areas) == {world.raslatt.pk, world.oxnehaga.pk, world.whole.pk}
    with django_assert_num_queries(QUERIES_PER_GET):
        client.get(url)
    with django_assert_num_queries(QUERIES_PER_POST):
        response = client.post(url, _log_post(world))
    assert response.status_code == 302
    assert Activity.objects.get().quantity == 2


@pytest.mark.parametrize("promises", [1, 300])
def test_activity_log_post_query_count_does_not_grow_with_promises(client, django_assert_num_queries, promises):
    world = World(year=2022)
    _promises_signed_by_the_police(world, promises - 1)
    client.force_login(world.officer)
    cache.clear()  # a post with nothing cached: every promise's rules read from the database
    with django_assert_num_queries(QUERIES_PER_POST + QUERIES_PER_RULES_MISS + QUERIES_PER_SESSION_WRITE):
        response = client.post(reverse("activity_log", args=["fotpatrull"]), _log_post(world))
    assert response.status_code == 302
    assert Activity.objects.get().quantity == 2


@pytest.mark.parametrize("other_promises", [0, 299])
def test_activity_edit_post_query_count_does_not_grow_with_promises(client, other_promises):
    world = World(year=2022)
    others = list(Municipality.objects.exclude(name="Jönköping").order_by("code"))
    for i in range(other_promises):
        promise = PromiseFactory(
            municipality=others[i % len(others)], year=2022 - i // len(others), status=Promise.Status.ACTIVE
        )
        TargetFactory(
            commitment__section__promise=promise,
            activity_type=world.patrol,
            areas=[AreaFactory(name=f"Område {i}", slug=f"omrade-{i}", municipality=others[i % len(others)])],
        )
    entry = activity_create(
        user=world.officer, data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=DAY)
    )
    client.force_login(world.officer)
    data = {"area": world.raslatt.pk, "date": DAY.isoformat(), "quantity": "4", "note": ""}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("activity_edit", args=[entry.pk]), data)
    assert response.status_code == 302
    assert Activity.objects.get().quantity == 4
    assert len(queries) == QUERIES_PER_EDIT
