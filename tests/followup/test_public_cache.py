"""Public pages and open data as a proxy may keep them: no cookie, Cache-Control, ETag, 304."""

import re
from datetime import date

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from followup.public_cache import publication_stamp
from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022
ARGUMENTS = {"municipality": "jonkoping", "year": YEAR, "slug": "raslatt", "tertial": 1, "export_format": "csv"}
OPEN_DATA = ["api:promises", "api:promise", "api:followup"]


def _public_names(resolver=None, namespace=None) -> list[str]:
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            names += _public_names(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace == "public":
            names.append(f"public:{pattern.name}")
    return sorted(set(names))


PUBLIC_NAMES = _public_names()


def _url(name: str) -> str:
    return reverse(name, kwargs={key: ARGUMENTS[key] for key in _arguments(name)})


def _arguments(name: str) -> list[str]:
    """The names of the URL's arguments, from its route."""
    namespace, _, short = name.partition(":")
    resolver = get_resolver()
    for found, pattern, route in _walk(resolver, None, ""):
        if found == namespace and pattern.name == short:
            return re.findall(r"<(?:\w+:)?(\w+)>", route)
    raise AssertionError(f"no URL named {name}")


def _walk(resolver, namespace, prefix):
    """(namespace, pattern, its whole route with the including routes before it)."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, pattern.namespace or namespace, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern, prefix + str(pattern.pattern)


@pytest.fixture
def world():
    world = World(year=YEAR)
    world.publish(1)
    return world


def test_public_names_are_found():
    assert {"public:index", "public:year", "public:area", "public:open_data", "public:feed"} <= set(PUBLIC_NAMES)


@pytest.mark.parametrize("name", PUBLIC_NAMES + OPEN_DATA)
def test_an_anonymous_reader_gets_no_cookie_and_a_cacheable_response(client, world, name):
    response = client.get(_url(name))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert dict(response.cookies) == {}
    cache_control = set(response.headers["Cache-Control"].split(", "))
    assert cache_control == {"public", "max-age=60"}
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["ETag"])
    assert "Cookie" in response.headers["Vary"]
    assert "Accept-Language" not in response.headers["Vary"]


@pytest.mark.parametrize("name", PUBLIC_NAMES + OPEN_DATA)
def test_a_matching_if_none_match_is_answered_304(client, world, name):
    url = _url(name)
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag
    assert "Set-Cookie" not in response.headers


def test_another_etag_gets_the_whole_page(client, world):
    response = client.get(reverse("public:index"), headers={"If-None-Match": '"0123"'})
    assert response.status_code == 200
    assert world.promise.title in response.content.decode()


def test_a_new_publication_changes_the_etag_and_the_page(client, world):
    url = reverse("public:year", args=["jonkoping", YEAR])
    before = client.get(url)
    stamp = publication_stamp()
    world.publish(2)
    assert publication_stamp() != stamp
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.content != before.content


def test_a_correction_changes_the_etag(client, world):
    url = reverse("public:index")
    before = client.get(url).headers["ETag"]
    world.log(world.patrol, 5, date(YEAR, 4, 29))
    assert client.get(url).headers["ETag"] == before  # an entry is not a publication
    world.publish(1, reason="Sent inrapporterade patruller.")
    after = client.get(url)
    assert after.headers["ETag"] != before
    assert "Sent inrapporterade patruller." in after.content.decode()


def test_the_page_is_rendered_once_per_publication_and_language(client, world, django_assert_num_queries):
    url = reverse("public:year", args=["jonkoping", YEAR])
    swedish = client.get(url)
    english = client.get("/en" + url)
    # Kept, with the stamp: no query at all, whatever the page needs to render.
    with django_assert_num_queries(0):
        again = client.get(url)
    with django_assert_num_queries(0):
        english_again = client.get("/en" + url)
    assert again.content == swedish.content
    assert english_again.content == english.content
    assert english.content != swedish.content
    assert english.headers["ETag"] != swedish.headers["ETag"]


def test_open_data_json_and_csv_are_kept_apart(client, world):
    url = reverse("api:promises")
    as_json = client.get(url, headers={"Accept": "application/json"})
    as_csv = client.get(url, headers={"Accept": "text/csv"})
    assert as_json.headers["Content-Type"] == "application/json"
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert as_json.headers["ETag"] != as_csv.headers["ETag"]
    assert set(as_csv.headers["Vary"].split(", ")) >= {"Accept", "Cookie"}


def test_a_logged_in_user_gets_their_own_page_never_a_shared_one(client, world):
    client.get(reverse("public:index"))  # kept for anonymous readers
    client.force_login(world.manager)
    response = client.get(reverse("public:index"))
    body = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body  # the log-out form
    assert set(response.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert "ETag" not in response.headers


def test_a_reader_with_a_message_is_not_served_the_kept_page(client, world):
    client.get(reverse("public:index"))
    client.force_login(world.manager)
    client.post(reverse("logout"))
    response = client.get(reverse("public:index"))
    assert "public" not in response.headers["Cache-Control"]


def test_a_missing_year_is_not_kept_and_says_so(client, world):
    response = client.get(reverse("public:year", args=["jonkoping", 1999]))
    assert response.status_code == 404
    assert "ETag" not in response.headers


def test_a_kept_embed_page_keeps_its_frame_headers(client, world, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://polisen.se"]
    url = reverse("public:embed", args=["jonkoping", YEAR])
    fresh = client.get(url)
    kept = client.get(url)
    assert kept.headers["ETag"] == fresh.headers["ETag"]
    assert "frame-ancestors https://polisen.se" in kept.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in kept.headers
    assert kept.headers["Content-Security-Policy"] == fresh.headers["Content-Security-Policy"]


def test_a_kept_page_keeps_the_site_wide_security_headers(client, world):
    url = reverse("public:index")
    fresh = client.get(url)
    kept = client.get(url)
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Content-Language"):
        assert kept.headers[header] == fresh.headers[header]


def test_a_public_page_that_sets_a_cookie_after_all_is_neither_shared_nor_kept(client, world, settings, tmp_path):
    # A template that asks for a CSRF token (a form on a public page) gets its cookie on the way
    # out: that response must not be marked public or kept for the next reader.
    (tmp_path / "includes").mkdir()
    (tmp_path / "includes" / "messages.html").write_text("{% csrf_token %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    response = client.get(reverse("public:accessibility"))
    assert "csrftoken" in response.cookies
    assert set(response.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}
    client.cookies.clear()
    assert "csrftoken" in client.get(reverse("public:accessibility")).cookies  # rendered again


def test_an_address_with_a_parameter_no_page_reads_is_rendered_but_never_kept(client):
    from django.core.cache import cache as the_cache

    from followup.public_cache import _key

    World(year=YEAR)
    for value in range(3):
        response = client.get(f"/?utm_source={value}")
        assert response.status_code == 200
        assert "csrftoken" not in response.cookies
    request = RequestFactory().get("/?utm_source=0")
    assert the_cache.get(_key(request, False)) is None
