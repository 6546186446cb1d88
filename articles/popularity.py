"""Most read: view counting without a database write per page view.

A view is one cache increment on a counter per article per day. Counters are
flushed in batches into ArticleDailyViews (one bulk upsert) by the
`flush_view_counts` command and, opportunistically, every FLUSH_EVERY views.

Counters live in a *generation*: flushing starts a new generation, then reads
and deletes the old one's counters. Every counter registers itself in a
numbered list of its generation when it is created, so the flush finds them
with get_many on known keys; nothing scans the cache, which Redis and
memcached could not do cheaply anyway. A view that lands in the old generation
during the few milliseconds of a flush may be lost; popularity is a ranking,
not an audit, so that trade is worth the absence of locks on the hot path.
"""

import datetime
import re

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from .models import Article, ArticleDailyViews

FLUSH_EVERY = 200
MOST_READ_CACHE_SECONDS = 300
_GENERATION = "views:generation"
_LOCK = "views:flush-lock"
_COUNTER_TIMEOUT = 3 * 24 * 3600

# Crawlers, link previewers, monitors and command-line clients: their hits
# are not readers. Matched case-insensitively against the User-Agent.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|"
    r"pingdom|uptime|monitor|curl|wget|python-|httpx|go-http-client|java/|"
    r"okhttp|headless|lighthouse|phantomjs|scrapy|feedfetcher",
    re.IGNORECASE,
)


def is_bot(user_agent: str | None) -> bool:
    """True for an empty User-Agent or one that names a crawler or tool."""
    return not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def _generation() -> int:
    generation = cache.get(_GENERATION)
    if generation is None:
        cache.add(_GENERATION, 1, timeout=None)
        generation = cache.get(_GENERATION, 1)
    return generation


def _keys(generation: int) -> dict[str, str]:
    prefix = f"views:g{generation}"
    return {
        "counter": prefix + ":c:{day}:{pk}",
        "entry": prefix + ":e:{n}",
        "entries": prefix + ":n",
        "total": prefix + ":total",
    }


def _incr(key: str) -> int:
    try:
        return cache.incr(key)
    except ValueError:
        cache.add(key, 0, timeout=_COUNTER_TIMEOUT)
        return cache.incr(key)


def record_view(article_id: int, day: datetime.date | None = None) -> None:
    """Count one reader view of `article_id` today (a few cache operations)."""
    day = day or timezone.localdate()
    keys = _keys(_generation())
    counter = keys["counter"].format(day=day.isoformat(), pk=article_id)
    if cache.add(counter, 1, timeout=_COUNTER_TIMEOUT):
        # First view of this article today in this generation: register the
        # counter so the flush can find it.
        n = _incr(keys["entries"])
        cache.set(
            keys["entry"].format(n=n), (day.isoformat(), article_id), _COUNTER_TIMEOUT
        )
    else:
        _incr(counter)
    if _incr(keys["total"]) % FLUSH_EVERY == 0:
        flush_view_counts()


def flush_view_counts() -> int:
    """Move cached counters into ArticleDailyViews; return the views written."""
    if not cache.add(_LOCK, 1, timeout=60):
        return 0  # another process is flushing
    try:
        old = _generation()
        try:
            cache.incr(_GENERATION)
        except ValueError:
            cache.set(_GENERATION, old + 1, timeout=None)
        return _flush_generation(old)
    finally:
        cache.delete(_LOCK)


def _flush_generation(generation: int) -> int:
    keys = _keys(generation)
    count = cache.get(keys["entries"]) or 0
    entry_keys = [keys["entry"].format(n=n) for n in range(1, count + 1)]
    entries = set(cache.get_many(entry_keys).values())
    counter_keys = {
        keys["counter"].format(day=day, pk=pk): (day, pk) for day, pk in entries
    }
    counts = {
        counter_keys[key]: views
        for key, views in cache.get_many(list(counter_keys)).items()
        if views
    }
    written = _upsert(counts)
    cache.delete_many([*entry_keys, *counter_keys, keys["entries"], keys["total"]])
    return written


def _upsert(counts: dict[tuple[str, int], int]) -> int:
    """Add `counts` {(day, article id): views} to ArticleDailyViews in bulk."""
    if not counts:
        return 0
    article_ids = {pk for _, pk in counts}
    days = {datetime.date.fromisoformat(day) for day, _ in counts}
    # Articles deleted since the view was counted are dropped.
    existing_articles = set(
        Article.objects.filter(pk__in=article_ids).values_list("pk", flat=True)
    )
    with transaction.atomic():
        current = {
            (row.day.isoformat(), row.article_id): row.views
            for row in ArticleDailyViews.objects.filter(
                article_id__in=article_ids, day__in=days
            )
        }
        rows = [
            ArticleDailyViews(
                article_id=pk,
                day=datetime.date.fromisoformat(day),
                views=current.get((day, pk), 0) + views,
            )
            for (day, pk), views in counts.items()
            if pk in existing_articles
        ]
        ArticleDailyViews.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["article", "day"],
            update_fields=["views"],
        )
    return sum(views for (_, pk), views in counts.items() if pk in existing_articles)


def most_read_ids(limit: int = 5) -> list[int]:
    """Ids of the most read published articles over the last 24 hours.

    Counts are per day, so "24 hours" means today and yesterday. Articles
    without views in that window (a quiet night, a fresh install) come after,
    ranked by their views over the last 7 days; both in one query. Cached for
    a few minutes: the ranking moves slowly and every page shows it.
    """
    key = f"views:most-read:{limit}"
    ids = cache.get(key)
    if ids is None:
        today = timezone.localdate()
        ids = list(
            ArticleDailyViews.objects.filter(
                day__gte=today - datetime.timedelta(days=6),
                article__in=Article.objects.published(),
            )
            .values("article")
            .annotate(
                day_views=Sum(
                    "views",
                    filter=Q(day__gte=today - datetime.timedelta(days=1)),
                    default=0,
                ),
                week_views=Sum("views"),
            )
            .order_by("-day_views", "-week_views", "article")
            .values_list("article", flat=True)[:limit]
        )
        cache.set(key, ids, MOST_READ_CACHE_SECONDS)
    return ids


def most_read(limit: int = 5) -> list[Article]:
    """The most read published articles, in rank order (one query for the
    stories; published() again, as one withdrawn since the ranking was
    kept must not show)."""
    ids = most_read_ids(limit)
    if not ids:
        return []
    by_id = Article.objects.published().for_cards().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]
