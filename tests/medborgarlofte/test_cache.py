"""The dashboard's cache through Django's Redis backend, as several app servers share it."""

import logging
import os
import re
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from medborgarlofte.cache import cache_get_or_compute
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _worker_redis_url(url: str, worker: str | None) -> str:
    """The Redis database of this pytest-xdist worker: gw0 the one TEST_REDIS_URL names, gw1 the
    one below it, and so on. The tests clear the cache, which flushes the whole database, so two
    workers must never share one."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    index = int(worker.removeprefix("gw")) if worker else 0
    if index > base:
        pytest.fail(f"{url} leaves no Redis database for pytest-xdist worker {worker}: name a higher one")
    return urlunsplit(parts._replace(path=f"/{base - index}"))


@pytest.fixture
def redis_cache(settings):
    redis = pytest.importorskip("redis")
    url = _worker_redis_url(REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER"))
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {url} (CI starts one)")
    settings.CACHES = {
        "default": {
            "BACKEND": "medborgarlofte.cache.TolerantRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "test",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()
    yield client
    cache.clear()


def test_dashboard_is_cached_in_redis_and_served_from_it(client, redis_cache, django_assert_max_num_queries):
    world = World(year=2022)
    client.force_login(world.manager)
    url = reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=1"

    first = client.get(url)
    dashboard_keys = [key for key in redis_cache.keys("test:*") if b"dashboard:" in key]
    assert len(dashboard_keys) == 1

    # A second server process would find the same key; here the second request does.
    with django_assert_max_num_queries(9):
        second = client.get(url)
    assert _without_csrf(second) == _without_csrf(first)
    assert world.patrol_target.title in second.content.decode()


def _without_csrf(response) -> str:
    # The form's masked CSRF token differs on every response; the rest must not.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_settings_reject_a_cache_url_that_is_not_redis(monkeypatch):
    from tests.medborgarlofte.test_settings import _load_settings

    result = _load_settings(CACHE_URL="memcached://127.0.0.1:11211")
    assert result.returncode != 0
    assert "CACHE_URL must be a redis://, rediss:// or unix:// URL" in result.stderr


def test_dashboard_key_is_the_promise_revision_and_a_change_never_reuses_one(
    client, redis_cache, django_capture_on_commit_callbacks
):
    from promises.revisions import promise_changed

    world = World(year=2022)
    client.force_login(world.manager)
    url = reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=1"
    revisions = []
    for _ in range(3):
        world.promise.refresh_from_db()
        revisions.append(str(world.promise.revision))
        client.get(url)
        with django_capture_on_commit_callbacks(execute=True):
            promise_changed([world.promise.pk])
    keys = sorted(key.decode() for key in redis_cache.keys("test:*") if b"dashboard:" in key)
    assert len(keys) == len(set(revisions)) == 3
    assert sorted(revisions) == sorted(key.split(":")[4] for key in keys)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # free, and closed again once we return: nothing listens


def test_a_redis_that_is_away_costs_speed_never_a_page(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "medborgarlofte.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    world = World(year=2022)
    caplog.set_level(logging.WARNING, logger="medborgarlofte.cache")

    # Logging in writes a session (through to the database), and the dashboard reads and
    # writes its cache: every one of them with no Redis to talk to.
    response = client.post(reverse("login"), {"username": world.manager.username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=1")
    assert response.status_code == 200
    assert world.patrol_target.title in response.content.decode()
    assert any("Redis unavailable" in record.message for record in caplog.records)


def test_a_value_another_server_is_computing_is_awaited_not_computed_again():
    cache.clear()
    cache.add("figures:computing", 1)  # another server holds the lock
    threading.Timer(0.2, cache.set, args=("figures", {"total": 480})).start()
    computed = []

    value = cache_get_or_compute("figures", lambda: computed.append(1) or {"total": -1}, timeout=60, wait=5)

    assert value == {"total": 480}
    assert computed == []


def test_a_lock_whose_holder_never_finishes_delays_the_page_only_for_the_wait():
    cache.clear()
    cache.add("figures:computing", 1)  # held by a server that died mid-computation

    value = cache_get_or_compute("figures", lambda: {"total": 480}, timeout=60, wait=0.2)

    assert value == {"total": 480}
    assert cache.get("figures") == {"total": 480}


def test_each_computation_is_logged_once_and_the_lock_released(caplog):
    cache.clear()
    caplog.set_level(logging.INFO, logger="medborgarlofte.cache")
    for _ in range(3):
        assert cache_get_or_compute("figures", lambda: {"total": 480}, timeout=60) == {"total": 480}
    assert [record.message for record in caplog.records] == ["computed figures"]
    assert cache.get("figures:computing") is None


def test_a_lock_released_without_a_value_ends_the_wait_at_once(monkeypatch):
    cache.clear()
    cache.add("figures:computing", 1)
    naps = []

    def nap(seconds):  # its holder fails during the first nap
        naps.append(seconds)
        cache.delete("figures:computing")

    monkeypatch.setattr("medborgarlofte.cache.time.sleep", nap)
    value = cache_get_or_compute("figures", lambda: {"total": 480}, timeout=60, wait=30)

    assert value == {"total": 480}
    assert len(naps) == 1  # not polling on through the 30 s


def test_a_public_page_is_kept_in_redis_once_for_every_server(client, redis_cache, django_assert_num_queries):
    world = World(year=2022)
    world.publish(1)
    first = client.get(reverse("public:index"))
    assert len([key for key in redis_cache.keys("test:*") if b"public-page:" in key]) == 1
    # Another server finds the stamp and the page there and answers the same ETag, no query.
    with django_assert_num_queries(0):
        again = client.get(reverse("public:index"), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("worker", "url"),
    [
        (None, "redis://127.0.0.1:6379/15"),
        ("gw0", "redis://127.0.0.1:6379/15"),
        ("gw1", "redis://127.0.0.1:6379/14"),
        ("gw2", "redis://127.0.0.1:6379/13"),
    ],
)
def test_each_xdist_worker_has_a_redis_database_of_its_own(worker, url):
    assert _worker_redis_url("redis://127.0.0.1:6379/15", worker) == url
