"""HTTP caching of reader pages: one set of headers, one signal when content changes.

A public page is the same document for every reader, so the edge (Varnish or
a CDN) and, where there is no edge, the origin page cache
(newsroom.middleware) can serve it to anyone. `public_page` gives a view's
responses their headers: `public` with an s-maxage that never outlives the
next scheduled publication (so stories come due without a purge), and a
`Surrogate-Key` header naming what the page shows.

When content changes, `invalidate()` bumps the content version, which keys
the origin page cache, and the version of each key, under which blocks of a
page are kept (articles.fragments); after the commit it purges those keys at
the edge.
"""

import datetime
import threading
import uuid
from collections.abc import Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page
from django.db import models, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

from newsroom import edge

VERSION_KEY = "content:version"
NEXT_DUE_KEY = "content:next-due:{version}"
# Browsers keep a page briefly; only the edge and the origin cache are purged.
BROWSER_MAX_AGE = 30

# Surrogate keys ----------------------------------------------------------
# An object's key (`article-12`, `section-3`, `tag-7`, `author-2`) is on every
# page that shows it; a list key (`list-section-3`) on the pages whose main
# list is that section's (tag's, author's) latest stories. Publishing a story
# in section 3 purges `list-section-3`, not every story page that merely
# names the section. `list-latest` is on pages listing the latest stories of
# the whole site (home, opinion, feeds, sitemaps), `sections` on every HTML
# page (its menu names them all), `list-search` on search results,
# `list-corrections` on the corrections page and its feed, `front` on the
# home page alone (editors' pins place stories there and nowhere else),
# `page-terms` (`page-about`, …) on a site page (site_page_key), `breaking`
# on the home page and on the breaking strip that every other page fetches
# (articles.views.breaking_strip).
LATEST = "list-latest"
SECTIONS = "sections"
SEARCH = "list-search"
CORRECTIONS = "list-corrections"
FRONT = "front"
BREAKING = "breaking"


def key(obj: models.Model) -> str:
    """The surrogate key of an article, section, tag or author."""
    return f"{obj._meta.model_name}-{obj.pk}"


def list_key(obj: models.Model) -> str:
    """The key of pages listing the latest stories of a section, tag or author."""
    return f"list-{key(obj)}"


def site_page_key(slug: str) -> str:
    """The key of a site page (/about/, /terms/, …: articles.SitePage), by
    its fixed address rather than its row."""
    return f"page-{slug}"


def article_keys(article, *, tag_ids=(), author_ids=()) -> set[str]:
    """What to purge when `article` changes: every page showing it, and every
    list it joins or leaves (its section's, tags', authors', the latest)."""
    keys = {
        f"article-{article.pk}",
        f"list-section-{article.section_id}",
        LATEST,
        SEARCH,
    }
    keys.update(f"list-tag-{pk}" for pk in tag_ids)
    keys.update(f"list-author-{pk}" for pk in author_ids)
    return keys


def keys_shown(context: dict) -> set[str]:
    """Keys of the articles, sections, tags and authors in a page's context:
    top-level values, and the items of lists, pages and pairs in them (the
    home page's (author, column) pairs). Dicts are not searched: sitemaps
    hold thousands of stories, which their list key covers."""
    from .models import Article, Author, Section, Tag

    keys = set()

    def add(value, depth):
        if isinstance(value, Article | Author | Section | Tag):
            keys.add(key(value))
        elif isinstance(value, list | tuple | Page) and depth:
            for item in value:
                add(item, depth - 1)

    for value in context.values():
        add(value, depth=2)
    return keys


def changed_at(article) -> datetime.datetime:
    """When readers last saw `article` change, for Last-Modified: its last
    edit, or the moment it came due if later. Nobody edits a scheduled story
    as it comes due, yet the pages listing it change then; without that
    moment, a cache revalidating by date alone would hear "304 Not Modified"."""
    return max(filter(None, (article.updated_at, article.published_at)))


# The content version -----------------------------------------------------


def content_version() -> int:
    """The current content version (created on first use)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def _bump_content_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # evicted or never set
        cache.add(VERSION_KEY, 1, timeout=None)


# Each surrogate key's own version, for what is cached below the page: a
# block of the home page (articles.fragments) is kept under the versions of
# the keys it shows, so the purge signal that drops a page drops the block,
# and a publish re-renders only the blocks it touches. A version lives
# longer than anything cached under it: when it expires, nothing stored
# under an older value of it is still there to come back.
KEY_VERSION = "content:key:{}"
KEY_VERSION_SECONDS = 2 * 24 * 3600


def key_versions(keys: Iterable[str]) -> dict[str, str]:
    """{key: version} of surrogate keys; "0" for a key never invalidated."""
    keys = list(keys)
    found = cache.get_many([KEY_VERSION.format(k) for k in keys])
    return {k: found.get(KEY_VERSION.format(k), "0") for k in keys}


def _bump_key_versions(keys: Iterable[str]) -> None:
    stamp = uuid.uuid4().hex  # unique, so two bumps never meet
    cache.set_many(
        {KEY_VERSION.format(k): stamp for k in keys}, timeout=KEY_VERSION_SECONDS
    )


_pending = threading.local()


def invalidate(keys: Iterable[str]) -> None:
    """Content shown under `keys` changed: drop the pages that show it.

    The version moves now, so this transaction's own next page is fresh, and
    again after the commit, so that a page rendered from the old rows by
    another reader in between is not kept. The edge is purged after the
    commit too, once per transaction: keys gather until then.
    """
    keys = set(keys)
    _bump_content_version()
    _bump_key_versions(keys)
    pending = getattr(_pending, "keys", None)
    if pending is None:
        pending = _pending.keys = set()
    pending.update(keys)
    transaction.on_commit(_after_commit)


def _after_commit() -> None:
    # Every invalidate() in a transaction registers this; the first one to
    # run takes all the keys. Keys left by a rolled-back transaction go out
    # with the next commit: a purge too many, never one too few.
    keys, _pending.keys = getattr(_pending, "keys", None), None
    if keys:
        _bump_content_version()
        _bump_key_versions(keys)
        edge.purge(keys)


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
    """Seconds a shared page may live: `limit`, or less if a story comes due.

    Rounded down, so no copy outlives the due time: pages rendered in the
    last second before it are not shared at all.
    """
    return _seconds_until(next_scheduled_publication(), limit)


def _seconds_until(when: datetime.datetime | None, limit: int) -> int:
    if when is None:
        return limit
    return max(0, min(limit, int((when - timezone.now()).total_seconds())))


# Headers -----------------------------------------------------------------


def public_page(view=None, *, keys: Iterable[str] = (), seconds: int | None = None):
    """Make a view's GET answers public pages (see the module docstring).

    Keys: those given here or already in the response's header,
    `surrogate_keys` from the view's context, and the objects the context
    holds (keys_shown). A `last_modified` datetime in the context becomes
    Last-Modified; ConditionalGetMiddleware adds the ETag and answers 304s.
    A `changes_at` datetime in the context (the home page's next pin to
    start or end) shortens the page's life to end then, as a scheduled story
    does for every page: nothing is edited, so nothing is purged, at that time.
    `seconds` shortens the shared life below PAGE_CACHE_SECONDS.
    The view must render nothing personal: no user, CSRF token or messages
    (the state endpoint brings those).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # Before the view reads the stories: a story coming due while it
            # renders must not leave a page without it cached for minutes.
            shared_for = seconds_until_next_publication(
                min(seconds or settings.PAGE_CACHE_SECONDS, settings.PAGE_CACHE_SECONDS)
            )
            response = view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD") and response.status_code in (
                200,
                301,
            ):
                _make_public(response, keys, shared_for)
            return response

        return wrapper

    return decorator(view) if view else decorator


def _make_public(response, keys, shared_for):
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    context = getattr(response, "context_data", None) or {}
    page_keys = {
        *keys,
        *response.get(edge.KEY_HEADER, "").split(),  # set by the view itself
        *context.get("surrogate_keys", ()),
        *keys_shown(context),
    }
    if response.get("Content-Type", "").startswith("text/html"):
        page_keys.add(SECTIONS)
    if page_keys:
        response[edge.KEY_HEADER] = " ".join(sorted(page_keys))
    shared_for = _seconds_until(context.get("changes_at"), shared_for)
    patch_cache_control(
        response,
        public=True,
        max_age=min(BROWSER_MAX_AGE, shared_for),
        s_maxage=shared_for,
    )
    last_modified = context.get("last_modified")
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
