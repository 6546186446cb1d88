"""A shared cache of whole pages for anonymous readers.

Anonymous GETs of pages that declare themselves public (`Cache-Control: public`)
are stored under a key that includes the content version (articles.cache), so
any publish, edit or withdrawal shows on the next request. Entries also expire
when the next scheduled story comes due. Signed-in readers always get a fresh
page, and nothing rendered for them is ever stored.
"""

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from articles.cache import content_version, seconds_until_next_publication

# Campaign and click tags that analytics read in the browser and no view
# reads on the server. Every click from a social network carries its own, so
# left in place each would render and store the page anew.
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


def _is_anonymous(request):
    return not request.user.is_authenticated and "messages" not in request.COOKIES


def _cache_key(request):
    raw = f"{request.get_host()}|{get_language()}|{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"page:{content_version()}:{digest}"


def not_page_cached(view):
    """Keep a public view out of the shared page cache (browsers and CDNs may
    still keep it briefly): for pages with a long tail of URLs, like search."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.page_cache = False
        return response

    return wrapper


def _is_storable(response):
    cache_control = response.get("Cache-Control", "")
    return (
        getattr(response, "page_cache", True)
        and response.status_code in (200, 301, 404)
        and not response.streaming
        and "public" in cache_control
        and "private" not in cache_control
        and not response.cookies
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not _is_anonymous(request):
            return self.get_response(request)
        _drop_tracking_parameters(request)
        key = _cache_key(request)
        cached = cache.get(key)
        if cached is not None:
            cached["X-Page-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if not _is_storable(response):
            return response
        timeout = seconds_until_next_publication(settings.PAGE_CACHE_SECONDS)
        if timeout:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            # Browsers and CDNs may keep it briefly and serve stale while
            # revalidating; our own copy is invalidated by the version bump.
            patch_cache_control(
                response, max_age=min(timeout, 60), stale_while_revalidate=300
            )
            cache.set(key, response, timeout)
            response["X-Page-Cache"] = "miss"
        return response
