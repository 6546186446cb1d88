"""The origin's page cache: public pages stored whole, for every reader.

Public pages carry nothing personal (articles.cache.public_page), so one
stored copy serves anonymous and signed-in readers alike. The cache obeys the
same headers as the edge: it stores GET answers marked `public` for their
s-maxage, with the content version they were rendered under; every change to
reader-visible content moves the version, which makes them all stale. It sits before the session and authentication
middleware: a hit reads no session and no user.

With an edge in front (Varnish, a CDN) this cache only sees the edge's
misses; on a single host (`make run`, small sites) it does the edge's job.
"""

import hashlib
import logging
import re
import time
from functools import wraps

from django.core.cache import cache
from django.utils.cache import patch_vary_headers

from articles.cache import VERSION_KEY, content_version
from newsroom import edge

logger = logging.getLogger(__name__)

# Campaign and click tags that analytics read in the browser and no view
# reads on the server. Every click from a social network carries its own, so
# left in place each would render and store the page anew. The edge drops
# them too (deploy/varnish/newsroom.vcl).
TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|igshid|mc_cid|mc_eid|_ga)$"
)


def _drop_tracking_parameters(request):
    """Serve the page as if the tags were absent: one cache entry, and no
    reader's click id echoed (in sign-in links) to everyone else."""
    if not request.META.get("QUERY_STRING"):
        return  # most requests: nothing to parse on the cache-hit path
    query = request.GET.copy()
    tracking = [name for name in query if TRACKING_PARAMETERS.match(name)]
    if not tracking:
        return
    for name in tracking:
        del query[name]
    request.META["QUERY_STRING"] = query.urlencode()
    request.GET = query


# Personal by nature, never stored, so not looked up either (one cache round
# trip less for the state endpoint and account pages): the same paths the
# edge passes to Django (deploy/varnish/newsroom.vcl).
PERSONAL_PATHS = re.compile(
    r"^(/en)?/(account|admin|for-you|newsletters|articles|i18n)(/|$)|^(/en)?/healthz"
)


# The one query parameter public pages read (listings' page numbers), in its
# one spelling. Anything else (search has its own rules: not_page_cached)
# would let any client store a copy per made-up URL until Redis is full.
PAGE_NUMBER = re.compile(r"page=[1-9][0-9]{0,4}")


def _storable(request):
    query = request.META.get("QUERY_STRING", "")
    return not query or PAGE_NUMBER.fullmatch(query) is not None


def _cache_key(request):
    # The path holds the language (/en/…), so no Accept-Language or cookie.
    raw = f"{request.get_host()}|{request.get_full_path()}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def not_page_cached(view):
    """Keep a public view out of the origin page cache (the edge and browsers
    may still keep it): for pages with a long tail of URLs, like search."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.page_cache = False
        return response

    return wrapper


def _is_public(response):
    return "public" in response.get("Cache-Control", "")


def _shared_seconds(response):
    match = re.search(r"s-maxage=(\d+)", response.get("Cache-Control", ""))
    return int(match[1]) if match else 0


def _keep_public_pages_impersonal(request, response):
    """A public page that sets or varies on a cookie has gone personal by
    mistake: it must then reach no shared cache at all."""
    varies_on_cookie = "cookie" in response.get("Vary", "").lower()
    if response.cookies or varies_on_cookie:
        logger.error("Public page made personal, not shared: %s", request.path)
        response["Cache-Control"] = "private, no-cache"
        del response[edge.KEY_HEADER]
        return False
    # LocaleMiddleware varies on Accept-Language, but the language of a
    # public page is in its path: varying would split every cached page.
    vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
    kept = [v for v in vary if v.lower() != "accept-language"]
    if kept != vary:
        del response["Vary"]
        if kept:
            patch_vary_headers(response, kept)
    return True


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or PERSONAL_PATHS.match(
            request.path_info
        ):
            return self.get_response(request)
        _drop_tracking_parameters(request)
        if not _storable(request):
            return self.get_response(request)  # rendered, never stored
        key = _cache_key(request)
        # One round trip for the content version and the page: an entry
        # stored under an older version is stale, and the next store
        # replaces it.
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or content_version()
        if key in found and found[key][0] == version:
            _, stored_at, response = found[key]
            age = time.time() - stored_at
            # The backend's expiry is a safety net, in whole seconds on its
            # own clock; the page's s-maxage, on ours, decides.
            if age < _shared_seconds(response):
                # Caches downstream count their s-maxage from the time we
                # stored it, so no copy outlives the next scheduled publication.
                response["Age"] = str(int(age))
                response["X-Page-Cache"] = "hit"
                return response
        response = self.get_response(request)
        if not _is_public(response) or not _keep_public_pages_impersonal(
            request, response
        ):
            return response
        timeout = _shared_seconds(response)
        if (
            timeout
            and getattr(response, "page_cache", True)
            and response.status_code in (200, 301)
            and not response.streaming
        ):
            cache.set(key, (version, time.time(), response), timeout)
            response["X-Page-Cache"] = "miss"
        return response
