"""The content version: one counter that every publish, edit or withdrawal bumps.

Shared page-cache entries carry the version in their key, so invalidation is a
single increment (no key scanning), and it works across processes and hosts
because the counter lives in the shared cache (Redis in production).
"""

import datetime

from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone

VERSION_KEY = "content:version"
NEXT_DUE_KEY = "content:next-due:{version}"


def content_version() -> int:
    """The current content version (created on first use)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_content_version() -> None:
    """Make every cached page stale at once."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # evicted or never set
        cache.add(VERSION_KEY, 1, timeout=None)


def next_scheduled_publication() -> datetime.datetime | None:
    """When the next scheduled article comes due, so cached pages expire then."""
    from .models import Article

    key = NEXT_DUE_KEY.format(version=content_version())
    now = timezone.now()
    cached = cache.get(key, "missing")
    if cached != "missing" and (cached is None or cached > now):
        return cached
    next_due = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=now
    ).aggregate(next_due=Min("published_at"))["next_due"]
    cache.set(key, next_due, timeout=None if next_due is None else 24 * 3600)
    return next_due


def seconds_until_next_publication(limit: int) -> int:
    """Seconds a shared page may live: `limit`, or less if a story comes due."""
    next_due = next_scheduled_publication()
    if next_due is None:
        return limit
    return max(0, min(limit, int((next_due - timezone.now()).total_seconds())))


def cached_per_version(name: str, compute, limit: int):
    """`compute()`, kept until the content changes or a scheduled story is due.

    For data every reader shares (the front page's stories, an article's
    sidebars) on pages that cannot be cached whole, such as signed-in ones.
    """
    timeout = seconds_until_next_publication(limit)
    if not timeout:
        return compute()
    key = f"{name}:{content_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value
