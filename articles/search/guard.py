"""Search cannot starve the site.

A search that misses every cache runs real queries; a flood of them, each
with new words, would hold every worker thread and leave readers of the home
page and of stories waiting. Two limits, before any query:

- per reader (IP): SEARCHES_PER_MINUTE, then "429 Too Many Requests" with
  Retry-After. Counted in the shared cache; without it, searches go through
  (this limit protects capacity, not an account).
- per process: at most SEARCH_CONCURRENCY searches at once; one more gets a
  quick "503, busy, try again in a few seconds" with Retry-After instead of
  a thread. With gunicorn's threaded workers (deploy/gunicorn.conf.py) the
  other threads keep serving pages.

An empty search box (no `q`) is a cheap page and passes freely. Neither
answer is stored by any cache.
"""

import threading
from functools import wraps

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from accounts import throttling

BUSY_RETRY_SECONDS = 5
_slots = None
_slots_lock = threading.Lock()


def _in_flight():
    # Created on first use, so tests and settings can size it.
    global _slots
    with _slots_lock:
        if _slots is None or _slots.size != settings.SEARCH_CONCURRENCY:
            _slots = _Slots(settings.SEARCH_CONCURRENCY)
        return _slots


class _Slots:
    def __init__(self, size):
        self.size = size
        self.semaphore = threading.BoundedSemaphore(size) if size else None

    def acquire(self):
        return self.semaphore is not None and self.semaphore.acquire(blocking=False)

    def release(self):
        self.semaphore.release()


def guarded(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.GET.get("q", "").strip():
            return view(request, *args, **kwargs)
        limit = throttling.Limit(
            "search-ip", attempts=settings.SEARCHES_PER_MINUTE, window=60
        )
        try:
            throttling.check_and_hit(
                (limit, throttling.client_ip(request)), fail_open=True
            )
        except throttling.Throttled as throttled:
            return _refused(request, 429, throttled.retry_after, limited=True)
        slots = _in_flight()
        if not slots.acquire():
            return _refused(request, 503, BUSY_RETRY_SECONDS, limited=False)
        try:
            return view(request, *args, **kwargs)
        finally:
            slots.release()

    return wrapper


def _refused(request, status, retry_after, *, limited):
    response = TemplateResponse(
        request,
        "articles/search_busy.html",
        {"limited": limited, "retry_after": retry_after, "query": request.GET.get("q")},
        status=status,
    )
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response
