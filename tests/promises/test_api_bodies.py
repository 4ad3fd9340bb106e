"""Whatever is sent to the write API, the answer is a JSON refusal with a code and a Swedish
message or every entry saved: never a 500, never half a batch (hypothesis).

Bodies: entries with wrong types, unknown fields and names, dates in other formats, huge
numbers and odd text; objects naming a field twice; other JSON; batches beyond the limit."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promises.models import Activity
from promises.serializers import ENTRY_FIELDS, MAX_ENTRIES
from promises.services import api_token_create
from tests.factories import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"

junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
dates = st.sampled_from(
    [
        "2022-03-01",
        "2022-02-29",
        "2022-3-1",
        "01/03/2022",
        "20220301",
        "2022-03-01T10:00:00",
        "1 mars 2022",
        "",
        "9999-12-31",
    ]
) | st.dates().map(str)
names = st.sampled_from(
    ["fotpatrull", "Fotpatrullering", "FOTPATRULL", "narkotikabrott", "trafikkontroll", "lagesbild", "Cykling", ""]
)
areas = st.sampled_from(["Råslätt", "råslätt", "Öxnehaga", "oxnehaga", "Hela kommunen", "Atlantis", ""])
numbers = st.integers(min_value=-5, max_value=60) | st.integers() | st.just(10**30)
texts = st.text(max_size=30) | st.sampled_from(["\x00", "\ud800", "811218-9876", "x" * 2001])
plausible = {
    "activity_type": names,
    "area": areas,
    "date": dates,
    "quantity": numbers,
    "first_time_user": st.booleans() | st.none(),
    "duration_minutes": numbers | st.none(),
    "description": texts,
    "note": texts,
}


@st.composite
def entries(draw):
    entry = {}
    for field in draw(st.lists(st.sampled_from(list(ENTRY_FIELDS)), unique=True)):
        entry[field] = draw(plausible[field] | junk)
    entry.update(draw(st.dictionaries(st.text(max_size=10), junk, max_size=2)))
    return entry


def _with_duplicate_key(entry: dict, key: str) -> str:
    """An object that names a field twice, which json.dumps cannot write."""
    pairs = [*(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in entry.items()), f'{json.dumps(key)}: "2022-03-01"']
    return "{" + ", ".join(pairs) + "}"


bodies = st.one_of(
    entries().map(json.dumps),
    st.lists(entries(), max_size=8).map(json.dumps),
    st.tuples(entries(), st.sampled_from(["date", "area", "x"])).map(lambda pair: _with_duplicate_key(*pair)),
    junk.map(json.dumps),
    st.integers(min_value=1, max_value=3).map(lambda extra: json.dumps([{}] * (MAX_ENTRIES + extra))),
    st.text(max_size=30),
)


@pytest.fixture
def api(client, settings):
    settings.API_RATE_LIMIT = "100000/minute"
    world = World(year=2022)
    return client, api_token_create(organisation=world.police, name="Hypothesis")[1]


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(body=bodies, idempotency_key=st.none() | st.text(max_size=12))
def test_any_body_is_saved_whole_or_refused_in_swedish(api, body, idempotency_key):
    client, key = api
    before = Activity.objects.count()
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    if idempotency_key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key.encode("utf-8", "surrogatepass").decode("latin-1")
    response = client.post(URL, data=body.encode("utf-8", "surrogatepass"), content_type="application/json", **headers)
    answer = response.json()
    saved = Activity.objects.count() - before
    if response.status_code == 201:
        assert saved == answer["created"] or response.has_header("Idempotent-Replayed")
    else:
        assert response.status_code in (400, 413, 415, 422)
        assert set(answer) <= {"code", "detail", "errors"}
        assert answer["code"]
        assert answer["detail"]
        assert saved == 0
