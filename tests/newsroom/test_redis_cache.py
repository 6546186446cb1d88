"""newsroom.cache.RedisCache: Django's Redis backend, reusing its clients."""

import pytest

from newsroom.cache import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "test-redis-cache"})
    try:
        cache.clear()
    except Exception as error:  # noqa: BLE001 - any connection failure
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    yield cache
    cache.clear()


def test_it_stores_reads_and_counts_like_djangos_backend(redis_cache):
    redis_cache.set("story", {"headline": "عاجل"}, 60)
    redis_cache.set_many({"a": 1, "b": 2}, 60)
    redis_cache.add("version", 1)
    redis_cache.incr("version")

    assert redis_cache.get("story") == {"headline": "عاجل"}
    assert redis_cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    assert redis_cache.get("version") == 2
    assert redis_cache.get("missing", "default") == "default"


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache.get_client(write=True)

    redis_cache.set("x", 1)

    assert redis_cache._cache.get_client() is client
