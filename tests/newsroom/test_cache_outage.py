"""The site without its cache (newsroom/redis_cache.py): public pages render
uncached, password and code checks are refused with a clear message, the view
beacon keeps counting nothing rather than failing, /healthz says "degraded",
and invalidations lost in an outage never let an old page back in.

Two ways in: a cache address nothing listens on (a dead Redis), and a real
redis-server of the test's own, paused and killed mid-test (marked `faults`).
"""

import logging
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from accounts import login_codes
from accounts.views import LOGIN_CODE_EMAIL
from articles.views import view_token
from tests.factories import ArticleFactory, UserFactory
from tests.redis_server import free_port

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def redis_cache(settings, port):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
    settings.CACHE_RETRY_SECONDS = 0.3


@pytest.fixture
def dead_cache(settings):
    redis_cache(settings, free_port())  # nothing listens there


def log_in(client, email, password=PASSWORD):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}
    )


def test_public_pages_render_without_the_cache(client, dead_cache):
    article = ArticleFactory(tags=["طاقة"])
    paths = [
        "/",
        article.get_absolute_url(),
        article.section.get_absolute_url(),
        "/search/?q=الخبر",
        "/rss/",
        "/sitemap-news.xml",
        "/breaking/",
        "/robots.txt",
        reverse("accounts:login"),
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
    # Rendered each time, from the database: a second visit is no hit.
    assert client.get("/").get("X-Page-Cache") != "hit"


def test_a_sign_in_is_refused_with_a_message_not_a_500(client, dead_cache):
    user = UserFactory(verified=True)

    response = log_in(client, user.email)

    assert response.status_code == 200
    assert "عطل تقني مؤقت" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_even_the_right_code_waits_while_tries_go_uncounted(client, dead_cache):
    user = UserFactory(verified=True)
    code, _ = login_codes.issue(user)
    session = client.session
    session[LOGIN_CODE_EMAIL] = user.email
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key

    response = client.post(reverse("accounts:login_code_enter"), {"code": code})

    assert response.status_code == 200
    assert "عطل تقني مؤقت" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_view_beacon_fails_open(client, dead_cache):
    article = ArticleFactory()
    response = client.post(
        reverse("articles:count_view", args=[article.pk])
        + f"?token={view_token(article.pk)}",
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 204


def test_healthz_says_degraded_and_keeps_the_host_in(client, dead_cache):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"degraded: cache unavailable\n"


def test_one_log_line_per_outage_not_per_request(client, dead_cache, caplog):
    ArticleFactory()
    with caplog.at_level(logging.WARNING, logger="newsroom.redis_cache"):
        for _ in range(5):
            client.get("/")
    assert len(caplog.records) == 1
    assert "Cache unreachable" in caplog.records[0].getMessage()


def test_healthz_is_ok_with_a_working_cache(client):
    assert client.get("/healthz").content == b"ok\n"


# A real Redis, paused and killed -------------------------------------------


@pytest.fixture
def own_redis(settings, redis_server):
    server = redis_server()
    redis_cache(settings, server.port)
    return server


def wait_for_retry(settings):
    time.sleep(settings.CACHE_RETRY_SECONDS + 0.1)


@pytest.mark.faults
def test_an_invalidation_lost_in_an_outage_never_brings_back_an_old_page(
    client, own_redis, settings
):
    article = ArticleFactory(headline="العنوان قبل العطل")
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    # Redis stops answering (but keeps its data) while the story is edited:
    # the purge of the cached page is lost.
    own_redis.control.execute_command("CLIENT", "PAUSE", 1500, "ALL")
    article.headline = "العنوان بعد التصحيح"
    article.save()
    time.sleep(1.6)  # Redis answers again, with the old page in it
    wait_for_retry(settings)

    html = client.get(url).content.decode()
    assert "العنوان بعد التصحيح" in html
    assert "العنوان قبل العطل" not in html


@pytest.mark.faults
def test_a_killed_redis_leaves_the_site_serving_and_it_recovers(
    client, own_redis, settings
):
    user = UserFactory(verified=True)
    article = ArticleFactory()
    assert client.get(article.get_absolute_url()).status_code == 200

    own_redis.kill()

    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/healthz").content == b"degraded: cache unavailable\n"
    assert "عطل تقني مؤقت" in log_in(client, user.email).content.decode()

    own_redis.start()
    wait_for_retry(settings)

    assert client.get("/healthz").content == b"ok\n"
    response = log_in(client, user.email)
    assert response.status_code == 302
    # Sessions work: the reader is signed in, and stays so.
    assert client.get(reverse("accounts:profile")).status_code == 200
    cache.clear()
