"""newsroom/checks.py: what `manage.py check --deploy` says about production."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
}


def deploy_check(*args):
    """The deploy check's report on caches. The other tags' deploy checks
    fail under test settings anyway (the test mail backend is mail.E001)."""
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "check", "--deploy", "--tag", "caches", *args, stdout=stdout, stderr=stderr
    )
    return stdout.getvalue() + stderr.getvalue()


def test_a_per_process_cache_in_production_is_a_warning_naming_cache_url():
    with override_settings(DEBUG=False, CACHES=LOCMEM):
        output = deploy_check()

    assert "newsroom.W001" in output
    assert "LocMemCache" in output
    assert "CACHE_URL" in output and "redis://" in output
    # Why: each worker counts rate limits and drops cached pages on its own.
    assert "حدود المحاولات" in output and "النشر أو السحب" in output


def test_it_fails_a_deploy_check_run_at_the_warning_level():
    with override_settings(DEBUG=False, CACHES=LOCMEM):
        with pytest.raises(SystemCheckError, match="newsroom.W001"):
            deploy_check("--fail-level", "WARNING")


def test_a_shared_cache_passes():
    with override_settings(DEBUG=False, CACHES=REDIS):
        assert "newsroom.W001" not in deploy_check()


def test_development_with_the_local_memory_cache_passes():
    with override_settings(DEBUG=True, CACHES=LOCMEM):
        assert "newsroom.W001" not in deploy_check()


def test_the_plain_check_leaves_it_to_the_deploy_check():
    stdout, stderr = StringIO(), StringIO()
    with override_settings(DEBUG=False, CACHES=LOCMEM):
        call_command("check", "--tag", "caches", stdout=stdout, stderr=stderr)

    assert "newsroom.W001" not in stdout.getvalue() + stderr.getvalue()


def cache_at(settings, server):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.ResilientRedisCache",
            "LOCATION": server.url,
        }
    }
    settings.DEBUG = False


def test_a_redis_that_cannot_evict_is_a_warning(redis_server, settings):
    cache_at(settings, redis_server("--maxmemory-policy", "noeviction"))
    output = deploy_check()
    assert "newsroom.W002" in output
    assert "allkeys-lru" in output


def test_a_bounded_evicting_redis_passes(redis_server, settings):
    cache_at(
        settings,
        redis_server("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"),
    )
    assert "newsroom.W002" not in deploy_check()
