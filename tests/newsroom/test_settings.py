import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def run_django(env_overrides, *args):
    # Production settings are given in full, whatever the CI job exports.
    unset = {"SECRET_KEY", "DEBUG", "CACHE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django({"DEBUG": "0"}, "check")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Newsroom refuses to start: SECRET_KEY must be set when DEBUG is off."
    ]


def test_production_settings_pass_the_deploy_check(redis_server):
    # A Redis configured as the README says: bounded, evicting.
    cache = redis_server("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru")
    result = run_django(
        {
            "DEBUG": "0",
            "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "news.example.com",
            "SITE_URL": "https://news.example.com",
            "CACHE_URL": cache.url,
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_defaults_need_no_configuration():
    result = run_django({}, "check")

    assert result.returncode == 0, result.stderr


def test_production_keeps_connections_and_caches_in_redis():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['CONN_MAX_AGE'], s.CACHES['default']['BACKEND'],"
        " s.EDGE_PURGE_URLS)"
    )
    result = run_django(
        {
            "DEBUG": "0",
            "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
            "CACHE_URL": "redis://127.0.0.1:6379/1",
            "EDGE_PURGE_URLS": "http://10.0.0.5:6081/,http://10.0.0.6:6081/",
        },
        "shell",
        "-c",
        code,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "60 newsroom.redis_cache.ResilientRedisCache"
        " ['http://10.0.0.5:6081/', 'http://10.0.0.6:6081/']"
    )


def test_templates_are_compiled_once_per_process():
    from django.template import engines
    from django.template.loaders.cached import Loader

    (loader,) = engines["django"].engine.template_loaders

    assert isinstance(loader, Loader)


def test_production_without_a_shared_cache_is_warned_by_the_deploy_check():
    result = run_django(
        {
            "DEBUG": "0",
            "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "news.example.com",
            "SITE_URL": "https://news.example.com",
        },
        "check",
        "--deploy",
    )

    assert result.returncode == 0, result.stderr  # a warning, not an error
    assert "(newsroom.W001)" in result.stderr
    assert "CACHE_URL" in result.stderr
