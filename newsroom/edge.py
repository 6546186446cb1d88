"""Purging edge caches (Varnish here, a CDN elsewhere) by surrogate key.

Public responses name what they show in a `Surrogate-Key` header; when that
content changes, the edge is told to drop every object carrying one of the
keys. A purge is fire-and-forget: it runs in a thread with a short timeout,
so a slow or dead edge never holds up the editor who saved, and a failure is
logged (the objects then live until their s-maxage, a few minutes at most).

EDGE_PURGE_URLS lists the edges (several Varnish hosts, say); with none set,
purging does nothing, as on a single host served by the origin page cache.
"""

import logging
import threading
import urllib.request
from collections.abc import Iterable

from django.conf import settings

logger = logging.getLogger(__name__)

KEY_HEADER = "Surrogate-Key"
PURGE_TIMEOUT_SECONDS = 2
# Keys per request: keeps each request's header well under Varnish's 8 KB
# default limit for a header line.
KEYS_PER_REQUEST = 200


class Purger:
    """What an edge must offer: drop every object tagged with any of `keys`."""

    def purge(self, keys: list[str]) -> None:
        raise NotImplementedError


class VarnishPurger(Purger):
    """`PURGE /` with an `xkey-purge` header, as deploy/varnish/newsroom.vcl
    expects (vmod xkey, hard purge: a withdrawn story is gone, not graced)."""

    def __init__(self, base_url: str):
        self.url = base_url.rstrip("/") + "/"

    def __str__(self):
        return self.url

    def purge(self, keys: list[str]) -> None:
        for start in range(0, len(keys), KEYS_PER_REQUEST):
            batch = " ".join(keys[start : start + KEYS_PER_REQUEST])
            request = urllib.request.Request(
                self.url, method="PURGE", headers={"xkey-purge": batch}
            )
            with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT_SECONDS):
                pass


def purgers() -> list[Purger]:
    return [VarnishPurger(url) for url in settings.EDGE_PURGE_URLS]


def purge(keys: Iterable[str]) -> threading.Thread | None:
    """Purge `keys` on every edge, in the background; returns the thread."""
    keys = sorted(set(keys))
    edges = purgers()
    if not keys or not edges:
        return None
    thread = threading.Thread(target=_purge_all, args=(edges, keys), daemon=True)
    thread.start()
    return thread


def _purge_all(edges: list[Purger], keys: list[str]) -> None:
    for edge in edges:
        try:
            edge.purge(keys)
        except OSError as error:  # refused, timed out, or an HTTP error
            logger.warning("Edge purge failed (%s): %s", edge, error)
