"""The dashboard's cache through Django's Redis backend, as several app servers share it."""

import os
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import World

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache(settings):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL} (CI starts one)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
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
