"""Redis as an accelerator, never a single point of failure.

Django's Redis backend raises when Redis is unreachable, so an outage of the
cache was an outage of the site. This backend answers as an empty cache
instead: reads miss, writes are dropped, and pages render from the database.

- A short connect and read timeout (settings: CACHES OPTIONS) bounds what a
  dead or black-holed Redis costs one call; after a failure the backend does
  not call Redis at all for CACHE_RETRY_SECONDS (in this process), then tries
  again: a request never pays the timeout more than once. A call Redis
  refuses (out of memory under `noeviction`) fails alone. The log gets one
  line a minute at most, not one per request.
- An invalidation it could not write (a version bump, a deletion) may leave
  stale pages in Redis, to be served when it is back. So after such a loss
  the first call that reaches Redis again empties the cache database first:
  everything in it can be rebuilt, and nothing older than the loss is served
  as current.
- Callers that must not treat "unreachable" as "empty" ask `available()`
  after their reads: the rate limits on password and code checks fail
  closed (accounts/throttling.py), /healthz says "degraded".
"""

import logging
import threading
import time

import redis
from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

LOG_EVERY = 60.0  # seconds: one line per outage, not one per request
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)
# Writes whose loss can leave stale entries behind (see the module docstring).
INVALIDATING = {"delete", "delete_many", "incr", "set_many", "clear"}


class _Health:
    """One per Redis location, shared by the threads of a process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.lost_invalidation = False
        self.logged_at = -LOG_EVERY


_health: dict[str, _Health] = {}


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._health = _health.setdefault(str(server), _Health())

    def available(self) -> bool:
        """False while Redis is known to be unreachable (the last call
        failed less than CACHE_RETRY_SECONDS ago)."""
        return time.monotonic() >= self._health.down_until

    def ping(self) -> bool:
        """Whether Redis answers now (for /healthz), whatever the cooldown."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except self._cache._lib.RedisError:
            return False

    def server_config(self, *names) -> dict:
        """Redis's own settings (CONFIG GET), {} when it will not say."""
        client = self._cache.get_client(write=True)
        try:
            return {name: client.config_get(name).get(name) for name in names}
        except self._cache._lib.RedisError:  # unreachable, or CONFIG disabled
            return {}

    def _call(self, name, fallback, *args, **kwargs):
        health = self._health
        if not self.available():
            if name in INVALIDATING:
                health.lost_invalidation = True
            return fallback()
        try:
            if health.lost_invalidation:
                self._start_clean()
            return getattr(super(), name)(*args, **kwargs)
        except self._cache._lib.RedisError as error:
            # Unreachable: leave Redis alone for a while. Refused (out of
            # memory under `noeviction`, say): this call only.
            unreachable = isinstance(error, UNREACHABLE)
            now = time.monotonic()
            with health.lock:
                if unreachable:
                    health.down_until = now + settings.CACHE_RETRY_SECONDS
                if name in INVALIDATING:
                    health.lost_invalidation = True
                quiet = now - health.logged_at < LOG_EVERY
                if not quiet:
                    health.logged_at = now
            if not quiet:
                logger.warning(
                    "Cache %s (%s: %s); serving without it.",
                    "unreachable" if unreachable else "refused a call",
                    type(error).__name__,
                    error,
                )
            return fallback()

    def _start_clean(self):
        with self._health.lock:
            if not self._health.lost_invalidation:
                return
            # Without blocking Redis while it frees the keys.
            self._cache.get_client(write=True).flushdb(asynchronous=True)
            self._health.lost_invalidation = False
        logger.warning("Cache back; emptied it, since invalidations were lost.")

    def get(self, key, default=None, version=None):
        return self._call("get", lambda: default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", lambda: False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", lambda: False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", lambda: None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda: list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", lambda: False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", lambda: None, keys, version)

    def incr(self, key, delta=1, version=None):
        # As for a missing key: callers fall back to add(), dropped too.
        return self._call("incr", _missing(key), key, delta, version)

    def clear(self):
        return self._call("clear", lambda: False)


def _missing(key):
    def fallback():
        raise ValueError(f"Key '{key}' not found (cache unreachable)")

    return fallback


def cache_available(cache) -> bool:
    """Whether `cache` can be trusted to hold what was written to it now.
    Always true for backends that do not fail (local memory)."""
    available = getattr(cache, "available", None)
    return available() if available else True
