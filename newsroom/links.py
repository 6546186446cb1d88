"""URLs of the site's pages, remembered.

A front page links some 150 stories, sections, tags and authors, and
reversing each URL costs more than the rest of its card. A URL depends only on
the view's name and arguments, the language prefix, the script prefix and the
URLconf, so a remembered one never goes stale and nothing invalidates it.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


def url_of(viewname: str, **kwargs) -> str:
    """reverse(viewname, kwargs=kwargs), remembered."""
    return _reverse(
        viewname,
        tuple(sorted(kwargs.items())),
        get_language(),
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )


@lru_cache(maxsize=50_000)
def _reverse(viewname, kwargs, _language, _prefix, urlconf):
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
