"""Django's Redis cache, made to survive Redis being away.

Everything we keep in the cache can be recomputed or read from the database: dashboards (per
promise revision), rule contexts, sessions (`cached_db` writes through to the database), API
throttle counters. So a Redis restart must cost speed, never a request: a read that cannot
reach Redis is a miss, a write that cannot reach it is skipped, and a warning is logged (once
per call, so a long outage is visible in the logs without an error page for anyone).

What it cannot hide: a session deleted (logout) while Redis is down stays in a Redis that kept
its data until the session's own expiry. Run Redis without persistence (the README's layout
does), so a restart empties it.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)

T = TypeVar("T")


def cache_get_or_compute(key: str, compute: Callable[[], T], *, timeout: int, wait: float = 3.0) -> T:
    """The cached value of `key`, computed by one process only.

    When several app servers miss the same key at once (a dashboard just after a change),
    the first takes a short lock and computes; the others wait up to `wait` seconds for its
    result instead of computing it again. Past the wait (the first one died or is slow), or
    without a cache, a process computes it itself: the lock saves work, never blocks a page.
    Each computation is logged at INFO with its key, so a load test can count them.
    """
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"{key}:computing"
    locked = cache.add(lock, 1, timeout=30)
    if not locked:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            time.sleep(0.05)
            value = cache.get(key)
            if value is not None:
                return value
            if cache.get(lock) is None:
                break  # its holder gave up (or the cache is away): waiting longer brings nothing
    try:
        value = compute()
        cache.set(key, value, timeout)
        logger.info("computed %s", key)
    finally:
        if locked:
            cache.delete(lock)
    return value


class TolerantRedisCache(RedisCache):
    """Each operation as Django's, or its "nothing there / nothing done" answer when Redis is
    away. `add` answers False, so whoever wanted a lock computes without one."""

    def _unavailable(self, operation: str, error: Exception) -> None:
        logger.warning("Redis unavailable during %s, going on without the cache: %s", operation, error)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as error:
            self._unavailable("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as error:
            self._unavailable("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as error:
            self._unavailable("has_key", error)
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("add", error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("set", error)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("set_many", error)
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as error:
            self._unavailable("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNAVAILABLE as error:
            self._unavailable("delete_many", error)
