"""A shared cache of whole pages for anonymous readers.

Anonymous GETs of pages that declare themselves public (`Cache-Control: public`)
are stored under a key that includes the content version (articles.cache), so
any publish, edit or withdrawal shows on the next request. Entries also expire
when the next scheduled story comes due. Signed-in readers always get a fresh
page, and nothing rendered for them is ever stored.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from articles.cache import content_version, seconds_until_next_publication


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
