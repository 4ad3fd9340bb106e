"""The write API (promises/api.py): tokens, one entry or a batch, all or nothing, idempotency,
the organisation's own list, throttling and the audit log."""

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from promises.models import Activity, ApiToken, AuditEvent, IdempotencyRecord, User
from promises.serializers import MAX_ENTRIES
from promises.services import api_token_create, api_token_revoke
from tests.factories import ActivityFactory, World

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"
YEAR = 2022


@pytest.fixture
def world():
    return World(year=YEAR)


def _token(world: World, organisation=None, **kwargs) -> tuple[ApiToken, str]:
    return api_token_create(organisation=organisation or world.police, name="RAR", created_by=world.manager, **kwargs)


def _post(client, key: str | None, body, **headers):
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Api-Key {key}"
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def _get(client, key: str, **params):
    return client.get(URL, params, HTTP_AUTHORIZATION=f"Api-Key {key}")


def _patrol(day: str = "2022-03-01", **fields) -> dict:
    return {"activity_type": "fotpatrull", "area": "Råslätt", "date": day, **fields}


# --- Tokens -------------------------------------------------------------------------------------


def test_token_create_keeps_only_a_hash_and_logs_as_an_account_that_cannot_log_in(world):
    token, key = _token(world)
    token.refresh_from_db()
    assert key.startswith(f"{token.prefix}.")
    assert key not in (token.hashed_key, token.id)
    assert token.is_valid(key)
    assert (token.organisation, token.user.organisation) == (world.police, world.police)
    assert (token.user.is_active, token.user.has_usable_password()) == (False, False)
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_CREATE)
    assert (event.user, event.detail) == (
        world.manager,
        {"token": "RAR", "prefix": token.prefix, "organisation": "Polisen"},
    )


def test_token_create_refuses_an_expiry_in_the_past(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        _token(world, expiry_date=timezone.now() - timedelta(days=1))
    assert exc.value.message_dict == {"expiry_date": ["Utgångsdatumet måste ligga i framtiden."]}
    assert ApiToken.objects.count() == 0


def test_token_lifecycle_use_then_revoke(client, world):
    token, key = _token(world)
    assert token.last_used_at is None
    response = _post(client, key, _patrol())
    assert response.status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert api_token_revoke(token=token, user=world.manager) is True
    assert api_token_revoke(token=token, user=world.manager) is False
    response = _post(client, key, _patrol(day="2022-03-02"))
    assert response.status_code == 401
    assert response.json() == {
        "code": "token_revoked",
        "detail": "API-nyckeln har återkallats. Be en administratör om en ny.",
    }
    assert response["WWW-Authenticate"] == "Api-Key"
    assert Activity.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKE, user=world.manager).count() == 1


def test_token_expired_is_refused(client, world):
    token, key = _token(world, expiry_date=timezone.now() + timedelta(days=1))
    assert _get(client, key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expiry_date=timezone.now() - timedelta(minutes=1))
    response = _get(client, key)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert "API-nyckeln gick ut" in response.json()["detail"]


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "not_authenticated"),
        ("Api-Key nonsense", "token_invalid"),
        ("Bearer something", "not_authenticated"),
    ],
)
def test_request_without_a_valid_token_is_refused(client, world, authorization, code):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.post(URL, data=json.dumps(_patrol()), content_type="application/json", **headers)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert Activity.objects.count() == 0


def test_a_wrong_key_with_a_real_prefix_is_refused(client, world):
    token, _key = _token(world)
    response = _post(client, f"{token.prefix}.wrongsecret", _patrol())
    assert (response.status_code, response.json()["code"]) == (401, "token_invalid")


def test_a_session_is_no_api_token(client, world):
    client.force_login(world.officer)
    response = client.post(URL, data=json.dumps(_patrol()), content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


# --- Writing ----------------------------------------------------------------------------------------


def test_post_one_entry_saves_it_for_the_token_organisation(client, world):
    token, key = _token(world)
    response = _post(client, key, _patrol(quantity=3, note="Lugnt"))
    assert response.status_code == 201
    activity = Activity.objects.get()
    assert response.json() == {"created": 1, "ids": [activity.pk]}
    assert (activity.activity_type, activity.area, activity.date, activity.quantity, activity.note) == (
        world.patrol,
        world.raslatt,
        date(YEAR, 3, 1),
        3,
        "Lugnt",
    )
    assert (activity.organisation, activity.created_by, activity.promise) == (world.police, token.user, world.promise)


def test_post_names_are_read_as_the_import_reads_them(client, world):
    """Activity by name or code, any case; the area by name."""
    _token_obj, key = _token(world)
    batch = [
        {"activity_type": "Fotpatrullering", "area": "råslätt", "date": "2022-03-01"},
        {"activity_type": "TRAFIKKONTROLL", "area": "Öxnehaga", "date": "2022-03-01", "duration_minutes": 25},
    ]
    response = _post(client, key, batch)
    assert response.status_code == 201
    assert response.json()["created"] == 2


def test_post_batch_is_all_or_nothing_with_every_mistake_by_index_and_field(client, world):
    _token_obj, key = _token(world)
    batch = [
        _patrol(),
        {"activity_type": "trafikkontroll", "area": "Råslätt", "date": "2022-03-01", "duration_minutes": 10},
        {"activity_type": "narkotikabrott", "area": "Atlantis", "date": "2022-13-01", "antal": 2},
        _patrol(quantity=0),
    ]
    response = _post(client, key, batch)
    assert response.status_code == 400
    assert Activity.objects.count() == 0
    body = response.json()
    assert (body["code"], body["detail"]) == (
        "invalid_entries",
        "3 av 4 registreringar kan inte sparas. Inget sparades.",
    )
    assert [(e["index"], e["field"], e["code"]) for e in body["errors"]] == [
        (1, "duration_minutes", "too_short"),
        (2, "antal", "unknown_field"),
        (2, "date", "invalid_date"),
        (2, "area", "unknown_area"),
        (2, "first_time_user", "required"),
        (3, "quantity", "too_small"),
    ]
    messages = {(e["index"], e["field"]): e["message"] for e in body["errors"]}
    assert messages[(2, "area")] == "Okänt område ”Atlantis”."
    assert messages[(2, "date")] == "”2022-13-01” är ingen dag i kalendern."
    assert messages[(3, "quantity")] == "Antalet måste vara minst 1."


def test_post_refuses_another_organisations_activity_type(client, world):
    """A token may log what its organisation may log: the police do not log lägesbilder."""
    _token_obj, key = _token(world)
    response = _post(client, key, {"activity_type": "lagesbild", "area": "Råslätt", "date": "2022-03-01"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "index": 0,
            "field": "activity_type",
            "code": "type_not_allowed",
            "message": "Polisen registrerar inte ”Lägesbild”.",
        }
    ]
    _token_obj, municipal_key = _token(world, organisation=world.municipality)
    assert (
        _post(
            client, municipal_key, {"activity_type": "lagesbild", "area": "Råslätt", "date": "2022-03-01"}
        ).status_code
        == 201
    )


def test_post_refuses_a_published_tertial_and_a_future_date(client, world, settings):
    _token_obj, key = _token(world)
    world.publish(1)
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = _post(client, key, [_patrol("2022-02-01"), _patrol(future)])
    assert [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (0, "date", "published_period"),
        (1, "date", "date_in_future"),  # and no "no_active_promise" as well: one message per mistake
    ]


def test_post_the_batch_limit(client, world):
    _token_obj, key = _token(world)
    response = _post(client, key, [_patrol()] * (MAX_ENTRIES + 1))
    assert response.status_code == 400
    assert response.json() == {
        "code": "too_many_entries",
        "detail": "Högst 10\u00a0000 registreringar per anrop; det här har 10\u00a0001. Dela upp dem.",
    }
    assert Activity.objects.count() == 0


def test_post_a_full_batch_of_10000_entries_is_saved_in_bulk(client, world):
    _token_obj, key = _token(world)
    batch = [_patrol((date(YEAR, 1, 1) + timedelta(days=i % 365)).isoformat()) for i in range(MAX_ENTRIES)]
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, key, batch)
    assert (response.status_code, response.json()["created"]) == (201, MAX_ENTRIES)
    assert Activity.objects.count() == MAX_ENTRIES
    # In bulk: an entry at a time would be 20,000 inserts (entries and history). SQLite caps the
    # rows per insert at its 999 parameters, PostgreSQL takes 2,000 rows an insert.
    assert len(queries) < 500
    assert Activity.history.count() == MAX_ENTRIES


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        ("", "application/json", 400, "empty_body"),
        ("{not json", "application/json", 400, "parse_error"),
        ('{"date": "2022-03-01", "date": "2022-03-02"}', "application/json", 400, "duplicate_key"),
        ('{"quantity": NaN}', "application/json", 400, "parse_error"),
        ("[]", "application/json", 400, "empty_batch"),
        ("42", "application/json", 400, "invalid_body"),
        ('"text"', "application/json", 400, "invalid_body"),
        ("activity_type=fotpatrull", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400, "parse_error"),
    ],
)
def test_post_unreadable_bodies_are_refused_in_swedish(client, world, raw, content_type, status, code):
    _token_obj, key = _token(world)
    response = client.post(URL, data=raw, content_type=content_type, HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["detail"]
    assert Activity.objects.count() == 0


def test_other_methods_are_refused_in_swedish(client, world):
    _token_obj, key = _token(world)
    response = client.delete(URL, HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 405
    assert response.json() == {
        "code": "method_not_allowed",
        "detail": "DELETE är inte tillåtet här; använd GET eller POST.",
    }


# --- Idempotency ---------------------------------------------------------------------------------------


def test_a_repeated_idempotency_key_returns_the_first_result_and_saves_nothing_more(client, world):
    _token_obj, key = _token(world)
    batch = [_patrol(), _patrol("2022-03-02")]
    first = _post(client, key, batch, HTTP_IDEMPOTENCY_KEY="batch-2022-03")
    again = _post(client, key, batch, HTTP_IDEMPOTENCY_KEY="batch-2022-03")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Activity.objects.count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_WRITE).count() == 1


def test_the_key_is_compared_by_content_not_by_spelling(client, world):
    _token_obj, key = _token(world)
    first = _post(client, key, _patrol(quantity=2), HTTP_IDEMPOTENCY_KEY='"k1"')
    respelled = client.post(
        URL,
        data='{ "quantity": 2, "date": "2022-03-01", "area": "Råslätt", "activity_type": "fotpatrull" }',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert respelled.json() == first.json()
    assert Activity.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(client, world):
    _token_obj, key = _token(world)
    _post(client, key, _patrol(), HTTP_IDEMPOTENCY_KEY="k1")
    response = _post(client, key, _patrol("2022-03-05"), HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 422
    assert response.json() == {
        "code": "idempotency_key_reused",
        "detail": "Den här Idempotency-Key har redan använts för ett annat anrop. Skicka nya registreringar med en ny nyckel.",
    }
    assert Activity.objects.count() == 1


def test_a_refused_batch_keeps_no_result_so_the_corrected_batch_may_use_the_key(client, world):
    _token_obj, key = _token(world)
    assert _post(client, key, _patrol(quantity=0), HTTP_IDEMPOTENCY_KEY="k1").status_code == 400
    assert IdempotencyRecord.objects.count() == 0
    assert _post(client, key, _patrol(quantity=1), HTTP_IDEMPOTENCY_KEY="k1").status_code == 201


def test_the_key_belongs_to_the_organisation(client, world):
    _police, police_key = _token(world)
    _other_police, other_police_key = api_token_create(organisation=world.police, name="Annat system")
    _municipal, municipal_key = _token(world, organisation=world.municipality)
    report = {"activity_type": "lagesbild", "area": "Råslätt", "date": "2022-03-01"}
    assert _post(client, police_key, _patrol(), HTTP_IDEMPOTENCY_KEY="k1").status_code == 201
    # Another token of the same organisation gets the first result; another organisation's key is its own.
    assert _post(client, other_police_key, _patrol(), HTTP_IDEMPOTENCY_KEY="k1")["Idempotent-Replayed"] == "true"
    assert _post(client, municipal_key, report, HTTP_IDEMPOTENCY_KEY="k1").status_code == 201
    assert Activity.objects.count() == 2


@pytest.mark.parametrize("value", ["", "has space", "ä", "x" * 256])
def test_an_unusable_idempotency_key_is_refused(client, world, value):
    _token_obj, key = _token(world)
    response = _post(client, key, _patrol(), HTTP_IDEMPOTENCY_KEY=value)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_idempotency_key")
    assert Activity.objects.count() == 0


def test_the_database_allows_a_key_once_per_organisation(world):
    from django.db import IntegrityError, transaction

    IdempotencyRecord.objects.create(organisation=world.police, key="k", fingerprint="a", status_code=201)
    IdempotencyRecord.objects.create(organisation=world.municipality, key="k", fingerprint="a", status_code=201)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyRecord.objects.create(organisation=world.police, key="k", fingerprint="b", status_code=201)


# --- Audit and history ----------------------------------------------------------------------------------------


def test_api_writes_are_in_the_audit_log_and_the_history_with_the_token(client, world):
    token, key = _token(world)
    _post(client, key, [_patrol(), _patrol("2022-03-02")], HTTP_IDEMPOTENCY_KEY="k1", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action=AuditEvent.Action.API_WRITE)
    assert (event.user, event.username, event.ip_address) == (token.user, f"api-{token.prefix}", "10.1.2.3")
    assert event.detail == {
        "token": "RAR",
        "prefix": token.prefix,
        "organisation": "Polisen",
        "rows": 2,
        "idempotency_key": "k1",
    }
    history = Activity.history.all()
    assert {(h.history_user, h.history_change_reason) for h in history} == {(token.user, f"api {token.prefix}")}


# --- The list ----------------------------------------------------------------------------------------------------


def test_get_lists_the_organisations_own_entries_whoever_logged_them(client, world):
    _token_obj, key = _token(world)
    mine = world.log(world.patrol, 2, date(YEAR, 3, 1))
    _municipal_entry(world)
    response = _get(client, key)
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0] | {"created_at": None, "updated_at": None} == {
        "id": mine.pk,
        "activity_type": "fotpatrull",
        "activity_type_name": "Fotpatrullering",
        "area": "Råslätt",
        "date": "2022-03-01",
        "quantity": 2,
        "first_time_user": None,
        "duration_minutes": None,
        "description": "",
        "note": "",
        "created_at": None,
        "updated_at": None,
    }


def _municipal_entry(world: World) -> Activity:
    return ActivityFactory(
        promise=world.promise,
        activity_type=world.report,
        area=world.raslatt,
        date=date(YEAR, 3, 1),
        created_by=world.clerk,
    )


def test_get_filters_by_dates_type_and_area(client, world):
    _token_obj, key = _token(world)
    march = world.log(world.patrol, 1, date(YEAR, 3, 1))
    april = world.log(world.patrol, 1, date(YEAR, 4, 1), area=world.oxnehaga)
    drugs = world.log(world.drugs, 1, date(YEAR, 4, 2))

    def ids(**params):
        return {row["id"] for row in _get(client, key, **params).json()["results"]}

    assert ids(date_from="2022-03-15") == {april.pk, drugs.pk}
    assert ids(date_to="2022-03-31") == {march.pk}
    assert ids(activity_type="Fotpatrullering") == {march.pk, april.pk}
    assert ids(activity_type="narkotikabrott", area="Råslätt") == {drugs.pk}
    assert ids(area="Öxnehaga") == {april.pk}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"date_from": "1 mars"}, "invalid_filter"),
        ({"activity_type": "Cykling"}, "unknown_activity_type"),
        ({"area": "Atlantis"}, "unknown_area"),
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
    ],
)
def test_get_refuses_a_filter_it_cannot_read(client, world, params, code):
    _token_obj, key = _token(world)
    response = _get(client, key, **params)
    assert (response.status_code, response.json()["code"]) == (400, code)


def test_get_pages_with_a_cursor(client, world):
    _token_obj, key = _token(world)
    logged = [world.log(world.patrol, 1, date(YEAR, 3, day)) for day in range(1, 6)]
    first = _get(client, key, page_size=2).json()
    assert [row["id"] for row in first["results"]] == [logged[4].pk, logged[3].pk]
    seen = [row["id"] for row in first["results"]]
    next_url = first["next"]
    while next_url:
        page = client.get(next_url, HTTP_AUTHORIZATION=f"Api-Key {key}").json()
        seen += [row["id"] for row in page["results"]]
        next_url = page["next"]
    assert seen == [a.pk for a in reversed(logged)]


@pytest.mark.parametrize("entries", [1, 30])
def test_get_costs_the_same_queries_whatever_the_page_holds(client, world, entries):
    _token_obj, key = _token(world)
    for day in range(entries):
        world.log(world.patrol, 1, date(YEAR, 1, 1) + timedelta(days=day))
    with CaptureQueriesContext(connection) as queries:
        assert _get(client, key).status_code == 200
    assert len(queries) == 3  # the token, its last use, the page (with types and areas)


# --- Throttling and the open data ------------------------------------------------------------------------


def test_each_token_has_its_own_request_rate(client, world, settings):
    settings.API_RATE_LIMIT = "2/minute"
    _token_obj, key = _token(world)
    _other, other_key = api_token_create(organisation=world.police, name="Annat system")
    assert [_get(client, key).status_code for _ in range(2)] == [200, 200]
    response = _get(client, key)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["detail"].startswith("För många anrop med den här API-nyckeln. Försök igen om ")
    assert int(response["Retry-After"]) > 0
    assert _get(client, other_key).status_code == 200


def test_the_open_data_stays_anonymous_and_read_only(client, world):
    _token_obj, key = _token(world)
    assert client.get(reverse("api:promises")).status_code == 200
    assert client.get(reverse("api:promises"), HTTP_AUTHORIZATION="Api-Key nonsense").status_code == 200
    assert client.post(reverse("api:promises"), HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 405


def test_a_token_whose_account_was_moved_to_another_organisation_is_refused(client, world):
    token, key = _token(world)
    User.objects.filter(pk=token.user_id).update(organisation=world.municipality)
    response = _get(client, key)
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_last_use_is_written_at_most_once_a_minute(client, world):
    token, key = _token(world)
    with CaptureQueriesContext(connection) as first:
        assert _get(client, key).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert _get(client, key).status_code == 200
    assert len(second) == len(first) - 1  # no UPDATE of last_used_at the second time
    assert not any(q["sql"].startswith("UPDATE") for q in second.captured_queries)
