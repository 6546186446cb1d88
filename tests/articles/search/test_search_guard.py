"""Search cannot starve the site (articles/search/guard.py): a per-reader
limit and a cap on searches running at once, each answered quickly with a
page that says what to do and when, never stored by a cache."""

import pytest

from tests.factories import ArticleFactory
from tests.redis_server import free_port

pytestmark = pytest.mark.django_db


def search(client, q="الخبر", ip="203.0.113.7"):
    return client.get("/search/", {"q": q}, REMOTE_ADDR=ip)


def test_a_reader_searching_too_fast_is_asked_to_wait(client, settings):
    settings.SEARCHES_PER_MINUTE = 3
    ArticleFactory()
    for word in ("أول", "ثان", "ثالث"):
        assert search(client, word).status_code == 200

    refused = search(client, "رابع")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "بحثت كثيرًا في وقت قصير" in refused.content.decode()
    assert (
        "no-store" in refused["Cache-Control"] or "no-cache" in refused["Cache-Control"]
    )
    # Another reader, and the empty search page, are not held back.
    assert search(client, "رابع", ip="198.51.100.2").status_code == 200
    assert client.get("/search/", REMOTE_ADDR="203.0.113.7").status_code == 200


def test_searches_beyond_what_a_process_runs_at_once_are_told_to_retry(
    client, settings
):
    settings.SEARCH_CONCURRENCY = 0  # every slot taken

    busy = search(client)

    assert busy.status_code == 503
    assert busy["Retry-After"] == "5"
    html = busy.content.decode()
    assert "البحث مشغول الآن" in html
    assert "أعد البحث" in html
    assert "Surrogate-Key" not in busy


def test_a_slot_is_given_back_whatever_the_search_did(client, settings):
    settings.SEARCH_CONCURRENCY = 1
    ArticleFactory()
    # A junk page number answers 404 from inside the search: its slot comes back.
    assert client.get("/search/", {"q": "الخبر", "page": "99"}).status_code == 404
    for _ in range(3):
        assert search(client).status_code == 200


def test_without_the_cache_searches_are_not_refused(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    settings.SEARCHES_PER_MINUTE = 1
    ArticleFactory()
    for _ in range(3):
        assert search(client).status_code == 200
